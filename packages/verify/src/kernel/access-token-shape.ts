import { isCanonicalBase64url } from "./canonical-base64url.js";

/** Baton's tokens are under 1 KiB even with many roles; anything much larger is not worth parsing. */
export const MAX_ACCESS_TOKEN_LENGTH = 8192;

/** Three non-empty base64url segments (RFC 7515 §7.1): an unsigned or JWE-shaped token never is. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * The precheck before any parsing or cryptography: bounded length, compact JWS shape, and the one
 * canonical spelling of the signature (so one signed token is one string, which the
 * verified-token cache relies on).
 */
export function isWellFormedAccessToken(token: string): boolean {
  return (
    token.length <= MAX_ACCESS_TOKEN_LENGTH &&
    JWT_SHAPE.test(token) &&
    isCanonicalBase64url(token.slice(token.lastIndexOf(".") + 1))
  );
}

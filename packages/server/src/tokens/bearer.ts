import { AuthError } from "../errors.js";

// RFC 6750 §2.1: "Bearer" 1*SP b64token. The scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The access token in an Authorization header. `count` is how many Authorization headers the
 * request carried: more than one is ambiguous and refused rather than guessed at.
 */
export function readBearerToken(
  header: string | undefined,
  count = header === undefined ? 0 : 1,
): string {
  if (count > 1) throw new AuthError("TOKEN_INVALID", "More than one Authorization header");
  if (header === undefined || header.trim() === "")
    throw new AuthError("TOKEN_MISSING", "Authorization: Bearer token required");
  const match = BEARER.exec(header.trim());
  if (!match?.[1]) {
    if (!/^bearer\b/i.test(header.trim()))
      throw new AuthError("TOKEN_MISSING", "Authorization: Bearer token required");
    throw new AuthError("TOKEN_INVALID", "Malformed Bearer token");
  }
  return match[1];
}

/**
 * The token part of `Bearer <token>` without validating it, or undefined when the header does not
 * start that way. Only for a cache lookup: a string found in the verified-token cache was fully
 * checked when it was first seen; anything else goes through {@link readBearerToken}.
 */
export function bearerCandidate(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8 || header.charCodeAt(6) !== 32) return undefined;
  const scheme = header.slice(0, 6);
  if (scheme !== "Bearer" && scheme.toLowerCase() !== "bearer") return undefined;
  return header.slice(7).trim();
}

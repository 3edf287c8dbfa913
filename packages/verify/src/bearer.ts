import { VerifyError } from "./verify-error.js";

// RFC 6750 §2.1: "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer …` header, as Baton reads it. No header, or another
 * scheme, is TOKEN_MISSING; a Bearer header that is not a token is TOKEN_INVALID.
 */
export function readBearerToken(header: string | undefined): string {
  const value = header?.trim() ?? "";
  if (value === "" || !/^bearer\b/i.test(value))
    throw new VerifyError("TOKEN_MISSING", "Authorization: Bearer token required");
  const token = BEARER.exec(value)?.[1];
  if (token === undefined) throw new VerifyError("TOKEN_INVALID", "Malformed Bearer token");
  return token;
}

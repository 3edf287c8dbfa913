import { VerifyError } from "./verify-error.js";

// RFC 6750 §2.1: "Bearer" 1*SP b64token. The scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The access token in an Authorization header. `count` is how many Authorization headers the
 * request carried: more than one is ambiguous (Node keeps only the first) and refused rather
 * than guessed at. No header, or another scheme, is TOKEN_MISSING; a Bearer header that is not
 * a token is TOKEN_INVALID.
 */
export function readBearerToken(
  header: string | undefined,
  count = header === undefined ? 0 : 1,
): string {
  if (count > 1) throw new VerifyError("TOKEN_INVALID", "More than one Authorization header");
  const value = header?.trim() ?? "";
  if (value === "" || !/^bearer\b/i.test(value))
    throw new VerifyError("TOKEN_MISSING", "Authorization: Bearer token required");
  const token = BEARER.exec(value)?.[1];
  if (token === undefined) throw new VerifyError("TOKEN_INVALID", "Malformed Bearer token");
  return token;
}

/**
 * The token part of `Bearer <token>` without validating it, or undefined when the header does not
 * start that way. Only for a verified-token cache lookup: a string found there was fully checked
 * when it was first seen; anything else goes through {@link readBearerToken}.
 */
export function bearerCandidate(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8 || header.charCodeAt(6) !== 32) return undefined;
  const scheme = header.slice(0, 6);
  if (scheme !== "Bearer" && scheme.toLowerCase() !== "bearer") return undefined;
  return header.slice(7).trim();
}

/** How many times a header occurs in Node's raw header list (Node keeps only the first Authorization). */
export function countHeader(rawHeaders: readonly string[] | undefined, name: string): number {
  let count = 0;
  if (rawHeaders === undefined) return count;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const header = rawHeaders[i]!;
    // Length first: no string is lower-cased unless it can match (this runs on every request).
    if (header.length === name.length && header.toLowerCase() === name) count++;
  }
  return count;
}

/** First value of a header that Node may present as a list. */
export function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

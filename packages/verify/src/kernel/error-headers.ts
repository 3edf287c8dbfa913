import { ERROR_STATUS, type ErrorCode } from "@baton/protocol";

/**
 * Seconds a client waits before retrying a 503 UNAVAILABLE (a database or key-set outage). Not
 * shorter than the 5 s cooldowns of a key reload (server) and a JWKS refetch (@baton/verify): a
 * retry sooner would be answered from the same cooldown.
 */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Codes that mean the credentials were simply absent (or not a token at all): no error code. */
const ABSENT_CREDENTIALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "TOKEN_MISSING",
  "INVALID_CREDENTIALS",
  "REFRESH_MISSING",
]);

/**
 * The headers of every Baton error reply, from the server and from an @baton/verify guard alike:
 * `Cache-Control: no-store`; on a 401 the RFC 6750 §3 challenge (`error="invalid_token"` unless
 * credentials were absent); on a 503 or 429 `Retry-After`.
 */
export function errorHeaders(
  code: ErrorCode,
  message: string,
  retryAfterSeconds?: number,
): Record<string, string> {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  const retryAfter =
    retryAfterSeconds ?? (code === "UNAVAILABLE" ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined);
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  if (ERROR_STATUS[code] === 401) {
    headers["www-authenticate"] = ABSENT_CREDENTIALS.has(code)
      ? 'Bearer realm="baton"'
      : `Bearer realm="baton", error="invalid_token", error_description="${message.replace(/["\\]/g, "")}"`;
  }
  return headers;
}

import { ERROR_STATUS, type ErrorBody } from "@baton/protocol";
import type { Logger } from "pino";
import { AuthError, StoreUnavailableError } from "../errors.js";
import type { HttpReply } from "./route.js";

/** Seconds a client should wait before retrying while the database is unreachable. */
const UNAVAILABLE_RETRY_AFTER = 2;

/**
 * Maps any error to Baton's JSON error reply. Known errors keep their code; a database outage is
 * 503 UNAVAILABLE (clients retry, nobody is logged out); anything else is logged and answered as
 * a bare 500 INTERNAL with no internals in it.
 */
export function errorReply(error: unknown, logger: Logger): HttpReply {
  const known =
    error instanceof AuthError
      ? error
      : error instanceof StoreUnavailableError
        ? new AuthError("UNAVAILABLE", "Service temporarily unavailable; retry shortly", {
            retryAfter: UNAVAILABLE_RETRY_AFTER,
          })
        : undefined;
  if (error instanceof StoreUnavailableError)
    logger.warn({ err: error.cause ?? error }, "store unavailable");
  if (known === undefined) logger.error({ err: error }, "unexpected error");
  const failure = known ?? new AuthError("INTERNAL", "Internal error");

  const status = ERROR_STATUS[failure.code];
  const body: ErrorBody = { error: { code: failure.code, message: failure.message } };
  if (failure.details !== undefined) body.error.details = failure.details;
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (failure.retryAfter !== undefined) headers["retry-after"] = String(failure.retryAfter);
  if (status === 401) headers["www-authenticate"] = wwwAuthenticate(failure);
  return { status, body, headers };
}

/** RFC 6750 §3: no error code when credentials were simply absent. */
function wwwAuthenticate(failure: AuthError): string {
  if (
    failure.code === "TOKEN_MISSING" ||
    failure.code === "INVALID_CREDENTIALS" ||
    failure.code === "REFRESH_MISSING"
  ) {
    return 'Bearer realm="baton"';
  }
  return `Bearer realm="baton", error="invalid_token", error_description="${failure.message.replace(/["\\]/g, "")}"`;
}

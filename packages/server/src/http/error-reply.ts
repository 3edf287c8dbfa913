import { ERROR_STATUS, type ErrorBody } from "@baton/protocol";
import { errorHeaders } from "@baton/verify/kernel";
import type { Logger } from "pino";
import { AuthError, StoreUnavailableError } from "../errors.js";
import type { HttpReply } from "./route.js";

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
        ? new AuthError("UNAVAILABLE", "Service temporarily unavailable; retry shortly")
        : undefined;
  if (error instanceof StoreUnavailableError)
    logger.warn({ err: error.cause ?? error }, "store unavailable");
  if (known === undefined) logger.error({ err: error }, "unexpected error");
  const failure = known ?? new AuthError("INTERNAL", "Internal error");

  const body: ErrorBody = { error: { code: failure.code, message: failure.message } };
  if (failure.details !== undefined) body.error.details = failure.details;
  if (failure.reason !== undefined) body.error.reason = failure.reason;
  return {
    status: ERROR_STATUS[failure.code],
    body,
    headers: errorHeaders(failure.code, failure.message, failure.retryAfter),
  };
}

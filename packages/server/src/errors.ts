import type { ErrorCode } from "@baton/protocol";
import { VerifyError } from "@baton/verify/kernel";

/**
 * The one error type of Baton's core. `code` is stable and reaches clients unchanged; `message` is
 * for people and never contains a token, a password or a hash.
 *
 * @example
 * throw new AuthError("REFRESH_REUSED", "Refresh token was already used");
 */
export class AuthError extends Error {
  override readonly name = "AuthError";
  readonly code: ErrorCode;
  /** Seconds the caller should wait (RATE_LIMITED, UNAVAILABLE). */
  readonly retryAfter: number | undefined;
  /** VALIDATION_FAILED only: which input was wrong. */
  readonly details: { path: string; message: string }[] | undefined;
  /** SESSION_REVOKED only, when known: why the session was ended (`password-reset`, `logout-all`, …). */
  readonly reason: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    extra: {
      retryAfter?: number;
      details?: { path: string; message: string }[];
      reason?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.retryAfter = extra.retryAfter;
    this.details = extra.details;
    this.reason = extra.reason;
  }
}

/** Raised by a store whose database cannot be reached; answered as 503 UNAVAILABLE, never a 401. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}

/**
 * The verification kernel (@baton/verify/kernel) speaks VerifyError; the server speaks AuthError.
 * Same code, same message: this is the one place the first becomes the second.
 */
export function asAuthError(error: unknown): unknown {
  return error instanceof VerifyError
    ? new AuthError(error.code, error.message, { cause: error.cause })
    : error;
}

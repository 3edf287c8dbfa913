import { ERROR_STATUS, type ErrorCode } from "@baton/protocol";

/** The codes a verifier or its guards answer with: the same codes Baton itself uses. */
export type VerifyErrorCode = Extract<
  ErrorCode,
  | "TOKEN_MISSING"
  | "TOKEN_EXPIRED"
  | "TOKEN_INVALID"
  | "FORBIDDEN"
  | "EMAIL_NOT_VERIFIED"
  | "UNAVAILABLE"
>;

/**
 * Why a request is not let through. `code` is stable (branch on it, never on `message`);
 * `status` is its HTTP status. The message never contains the token.
 *
 * @example
 * try { await verifier.authenticate(header) }
 * catch (error) { if (error instanceof VerifyError && error.code === "TOKEN_EXPIRED") refresh() }
 */
export class VerifyError extends Error {
  override readonly name = "VerifyError";
  readonly status: number;

  constructor(
    readonly code: VerifyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = ERROR_STATUS[code];
  }
}

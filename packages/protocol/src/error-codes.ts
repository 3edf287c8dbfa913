/**
 * Every error Baton answers with, and its HTTP status. The code is the contract: clients branch on
 * it, never on the message. A test keeps this table and docs/api.md in step.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  LINK_INVALID: 400,
  INVALID_CREDENTIALS: 401,
  TOKEN_MISSING: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  SESSION_REVOKED: 401,
  REFRESH_MISSING: 401,
  REFRESH_INVALID: 401,
  REFRESH_REUSED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  EMAIL_NOT_VERIFIED: 403,
  NOT_FOUND: 404,
  FEATURE_DISABLED: 404,
  EMAIL_TAKEN: 409,
  LAST_ADMIN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/**
 * Codes after which the session cannot continue: the client drops its tokens and shows a login.
 * Every other failure (network, 5xx, 503, 429, TOKEN_EXPIRED) is retried or refreshed, never a
 * logout.
 */
export const SESSION_ENDING_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "REFRESH_MISSING",
  "REFRESH_INVALID",
  "REFRESH_REUSED",
  "SESSION_REVOKED",
]);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}

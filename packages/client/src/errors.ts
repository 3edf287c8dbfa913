import { SESSION_ENDING_CODES, type ErrorCode } from "@baton/protocol";

/**
 * Why a session ended: one of the server's session-ending codes, or `"LOGOUT"` when a user logged
 * out (in this tab or another one).
 *
 * @example
 * ```ts
 * const client = createAuthClient({
 *   baseUrl: "/api/auth",
 *   onSessionEnded: (reason: SessionEndReason) => {
 *     if (reason === "REFRESH_REUSED") alert("Your session was used elsewhere; please sign in again.");
 *   },
 * });
 * ```
 */
export type SessionEndReason =
  "REFRESH_MISSING" | "REFRESH_INVALID" | "REFRESH_REUSED" | "SESSION_REVOKED" | "LOGOUT";

/**
 * Base class of every error the client throws on purpose. `code` is stable: branch on it, never on
 * `message`. Programmer mistakes (a missing option) throw a plain `TypeError` instead.
 *
 * @example
 * ```ts
 * try {
 *   await client.login({ email, password });
 * } catch (error) {
 *   if (error instanceof BatonClientError) console.log(error.code);
 * }
 * ```
 */
export class BatonClientError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * True when trying again later can succeed (network trouble, time-outs, 5xx, 429): such errors
   * never end a session.
   */
  get transient(): boolean {
    return false;
  }
}

/**
 * The request never produced an HTTP response: the network failed, or the client's time-out
 * (`requestTimeoutMs`) fired first (`code === "TIMEOUT"`). Always transient.
 *
 * @example
 * ```ts
 * try {
 *   await client.me();
 * } catch (error) {
 *   if (error instanceof NetworkError) showBanner("You appear to be offline");
 * }
 * ```
 */
export class NetworkError extends BatonClientError {
  declare readonly code: "NETWORK_ERROR" | "TIMEOUT";

  constructor(code: "NETWORK_ERROR" | "TIMEOUT", message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }

  override get transient(): boolean {
    return true;
  }
}

/**
 * The auth server answered with an error status. `code` is the server's error code when the body
 * carried one (`{ "error": { "code": ... } }`), otherwise `"HTTP_ERROR"` (a proxy's error page,
 * for instance). `retryAfterMs` comes from `Retry-After` on 429/503.
 *
 * @example
 * ```ts
 * try {
 *   await client.login({ email, password });
 * } catch (error) {
 *   if (error instanceof HttpError && error.code === "INVALID_CREDENTIALS") showLoginError();
 * }
 * ```
 */
export class HttpError extends BatonClientError {
  declare readonly code: ErrorCode | "HTTP_ERROR";
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  /**
   * `SESSION_REVOKED` only, when the server said: why the session was ended
   * (`"password-reset"`, `"password-changed"`, `"logout-all"`, `"revoked-by-user"`, …).
   */
  readonly reason: string | undefined;

  constructor(
    status: number,
    code: ErrorCode | "HTTP_ERROR",
    message: string,
    retryAfterMs?: number,
    reason?: string,
  ) {
    super(code, message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
  }

  /** 5xx (including 503 `UNAVAILABLE`: the store is down, not the session) and 429 are transient. */
  override get transient(): boolean {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

/**
 * The session is over: the server answered a refresh with a session-ending code, or the user
 * logged out (here or in another tab). Requests waiting for a refresh reject with it. Show a login.
 *
 * @example
 * ```ts
 * try {
 *   await client.fetch("/api/orders");
 * } catch (error) {
 *   if (error instanceof SessionEndedError) navigate(`/login?reason=${error.code}`);
 * }
 * ```
 */
export class SessionEndedError extends BatonClientError {
  declare readonly code: SessionEndReason;

  constructor(code: SessionEndReason) {
    super(code, `The session has ended (${code}).`);
  }
}

/**
 * What else is known about why a session ended: for `SESSION_REVOKED`, the server's reason when it
 * gave one (`revokedReason: "password-reset"` after a password reset on another device).
 *
 * @example
 * ```ts
 * client.on("sessionEnded", (reason, detail: SessionEndDetail) => {
 *   if (detail.revokedReason === "password-reset") showNotice("Your password was reset; sign in again.");
 * });
 * ```
 */
export interface SessionEndDetail {
  revokedReason?: string;
}

/**
 * Narrows an error code to a {@link SessionEndReason} when it is one of the server's
 * session-ending codes.
 *
 * @example
 * ```ts
 * if (error instanceof HttpError && isSessionEndingCode(error.code)) endSession(error.code);
 * ```
 */
export function isSessionEndingCode(code: string): code is Exclude<SessionEndReason, "LOGOUT"> {
  return SESSION_ENDING_CODES.has(code as ErrorCode);
}

/**
 * True for errors worth retrying later: {@link NetworkError}, 5xx, 429 and 408. Anything else
 * (including errors the client did not create) is not.
 *
 * @example
 * ```ts
 * await retryWithBackoff(() => client.me(), { clock: systemClock, isRetryable: isTransientError });
 * ```
 */
export function isTransientError(error: unknown): boolean {
  return error instanceof BatonClientError && error.transient;
}

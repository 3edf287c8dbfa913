/** The public shapes of the client: its options, its interface and its events. */
import type { NotMeResponse, PublicUser, RefreshTransport, SessionInfo } from "@baton/protocol";
import type {
  ChangeEmailInput,
  ChangePasswordInput,
  LoginInput,
  RegisterInput,
  ResetSecret,
  VerifyEmailInput,
} from "./auth-api.js";
import type { AuthState, AuthStatus } from "./auth-state.js";
import type { AxiosLikeInstance } from "./axios.js";
import type { BackoffPolicy } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { BroadcastChannelLike, LockManagerLike } from "./cross-tab.js";
import type { SessionEndDetail, SessionEndReason } from "./errors.js";
import type { AuthLogger } from "./logger.js";
import type { TokenStore } from "./token-store.js";
import type { FetchLike } from "./transport.js";
import type { WakeEnvironment } from "./wake-events.js";

/**
 * Payload of the `tokenRefreshed` event: a new access token is in use (after login, a refresh,
 * a restore, a password change, or because another tab refreshed). It carries the token for
 * apps that must hand it to something else (a WebSocket); the client's logger never prints it.
 *
 * @example
 * ```ts
 * client.on("tokenRefreshed", ({ accessToken, source }: TokenRefreshedEvent) => {
 *   if (source !== "other-tab") socket.auth = { token: accessToken };
 * });
 * ```
 */
export interface TokenRefreshedEvent {
  accessToken: string;
  user: PublicUser;
  /** Local clock time at which the token expires. */
  expiresAt: number;
  source: "login" | "register" | "restore" | "refresh" | "password" | "other-tab";
}

/**
 * Cross-tab coordination settings (browsers). Every field has a working default.
 *
 * @example
 * ```ts
 * const crossTab: CrossTabOptions = { lockTimeoutMs: 5_000 };
 * ```
 */
export interface CrossTabOptions {
  /** Creates the channel (default: `new BroadcastChannel(name)`); `null` for none. */
  channel?: ((name: string) => BroadcastChannelLike | null) | undefined;
  /** Default: `navigator.locks`; `null` forces the BroadcastChannel fallback. */
  locks?: LockManagerLike | null | undefined;
  /** How long to wait for another tab's refresh before refreshing anyway. Default 13 s. */
  lockTimeoutMs?: number | undefined;
}

/**
 * Options of {@link createAuthClient}. Only `baseUrl` is required.
 *
 * @example
 * ```ts
 * const options: AuthClientOptions = {
 *   baseUrl: "/api/auth",
 *   onSessionEnded: (reason) => router.navigate(`/login?reason=${reason}`),
 * };
 * ```
 */
export interface AuthClientOptions {
  /** Where Baton's routes live, e.g. `"/api/auth"` or `"https://auth.example.com/api/auth"`. */
  baseUrl: string;
  /**
   * How the refresh token travels: `"cookie"` (browsers: an `HttpOnly` cookie scripts cannot
   * read) or `"body"` (Node, CLIs, native apps: JSON, kept in `tokenStore`). Default: `"cookie"`
   * in a browser, `"body"` elsewhere.
   */
  transport?: RefreshTransport;
  /** Body transport only: where the refresh token persists. Default: memory. */
  tokenStore?: TokenStore;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Default: the real clock. Tests inject a manual one. */
  clock?: Clock;
  /** Source of jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * Time-out of each auth request, including reading the body. Default 8 s: below the server's
   * 10 s grace window, so that the retry of a refresh whose answer never came still presents a
   * token the server accepts.
   */
  requestTimeoutMs?: number;
  /**
   * Time-out of one refresh attempt. Default 4 s. Once an attempt ended without an answer
   * (time-out, connection lost) the server may have rotated the token anyway, and only accepts
   * the old one for its grace window: later attempts then shrink their time-outs, and keep
   * trying, so that one of them reaches the server inside that window.
   */
  refreshTimeoutMs?: number;
  /** The server's `REFRESH_REUSE_INTERVAL`, if you changed it. Default 10 s. */
  refreshGraceMs?: number;
  /** Retries of refreshes and idempotent auth calls. Default {@link DEFAULT_BACKOFF}. */
  retry?: Partial<BackoffPolicy>;
  /**
   * Longest pause after a refresh cycle failed (retries exhausted) before the next one; the
   * pauses grow from ~5 s to this. Default 60 s. Going back online ends a pause at once.
   */
  maxRefreshCooldownMs?: number;
  /** `false` to disable; default on in browsers with cookie transport, off elsewhere. */
  crossTab?: boolean | CrossTabOptions;
  /** Where to listen for `visibilitychange`/`focus`/`online`. Default: `window`/`document`. */
  environment?: WakeEnvironment | null;
  /** Extra origins `client.fetch` and `client.axios` may send the access token to. */
  tokenOrigins?: readonly string[];
  /**
   * Browsers with cookie transport: on page load, restore the session only when the page has the
   * server's readable `baton_session=1` cookie (set and cleared with the refresh cookie); without
   * it the client is `anonymous` at once and sends no `POST /refresh`, so an anonymous visit
   * prints no 401 in the console. Applies only when the auth server is on the page's host (other
   * hosts' cookies are invisible to scripts). `false` always asks the server. Default `true`.
   */
  sessionHint?: boolean;
  /** Restore the session and attach listeners immediately. Default `true`. */
  autoStart?: boolean;
  onSessionEnded?: (reason: SessionEndReason, detail: SessionEndDetail) => void;
  onTokenRefreshed?: (event: TokenRefreshedEvent) => void;
  /** Debug output (redacted: never token text). */
  logger?: AuthLogger;
  /** Shorthand for `logger: consoleLogger`. */
  debug?: boolean;
}

/**
 * The token manager. See {@link createAuthClient}.
 *
 * @example
 * ```ts
 * const client: AuthClient = createAuthClient({ baseUrl: "/api/auth" });
 * const response = await client.fetch("/api/orders");
 * ```
 */
export interface AuthClient {
  readonly status: AuthStatus;
  readonly user: PublicUser | null;
  /** The current immutable state (for `useSyncExternalStore`). */
  getSnapshot: () => AuthState;
  /** Calls `listener` after every state change; returns the unsubscribe function. */
  subscribe: (listener: () => void) => () => void;
  /** Resolves with the state once it is no longer `loading`. */
  ready: () => Promise<AuthState>;

  register: (input: RegisterInput) => Promise<PublicUser>;
  login: (input: LoginInput) => Promise<PublicUser>;
  /**
   * Asks the server to mail a password-reset link and code to `email`. Resolves the same whether
   * or not the address has an account (the server tells nobody); rejects with `HttpError`
   * `RATE_LIMITED` (too many requests from here), `FEATURE_DISABLED` (the server sends no mail)
   * or `VALIDATION_FAILED` (not an email address).
   */
  requestPasswordReset: (email: string) => Promise<void>;
  /**
   * Sets a new password with the mailed link's token, or the mailed code and the address, and
   * signs in on this device like `login` (every other session of the account ends). Rejects with
   * `HttpError` `LINK_INVALID` (expired, used or replaced: ask for a new mail) or
   * `VALIDATION_FAILED` (the password policy).
   */
  resetPassword: (secret: ResetSecret, password: string) => Promise<PublicUser>;
  /**
   * Signs out of this session in every tab at once, then tells the server. Never rejects for
   * network trouble: local state is cleared first; `serverConfirmed` says whether the server
   * revoked the session (if not, the refresh cookie may still work until it expires).
   */
  logout: () => Promise<{ serverConfirmed: boolean }>;
  /** Revokes every session of the user on the server, then signs out locally. */
  logoutAll: () => Promise<void>;
  /** Refreshes now (e.g. after a role change), sharing any refresh already running. */
  refresh: () => Promise<AuthState>;
  /** Fetches the user from the server and updates `user`. */
  me: () => Promise<PublicUser>;
  sessions: () => Promise<SessionInfo[]>;
  /** Revokes one session; revoking the current one signs out. */
  revokeSession: (sessionId: string) => Promise<void>;
  /** Changes the password; the server revokes every other session and issues new tokens. */
  changePassword: (input: ChangePasswordInput) => Promise<void>;
  /**
   * Redeems a verification link (`{ token }` from the page's fragment) or code. Verifies the
   * address, or applies a pending email change. When signed in, refreshes at once so `user` and
   * the access token (`email_verified`) show it. Rejects with HttpError `LINK_INVALID` (ask for a
   * new mail), `EMAIL_TAKEN` (a change whose address another account took), or
   * `VALIDATION_FAILED` (a code without `email` while nobody is signed in).
   */
  verifyEmail: (input: VerifyEmailInput) => Promise<PublicUser>;
  /**
   * Mails a new verification: to the signed-in user, or to `email` when nobody is signed in (the
   * server answers the same for any address). HttpError `RATE_LIMITED` (`retryAfterMs`) within a
   * minute of the last one.
   */
  resendVerification: (input?: { email: string }) => Promise<void>;
  /**
   * Asks to change the address: a confirmation goes to `newEmail`, and nothing changes until it
   * is redeemed (`verifyEmail`). HttpError `INVALID_CREDENTIALS` (wrong password),
   * `EMAIL_TAKEN`, `RATE_LIMITED`.
   */
  changeEmail: (input: ChangeEmailInput) => Promise<void>;
  /**
   * Redeems the undo link mailed to the old address: the old address is back and every session
   * of the account has ended (this one too, if the account is signed in here). HttpError
   * `LINK_INVALID`, `EMAIL_TAKEN`.
   */
  undoEmailChange: (input: { token: string }) => Promise<void>;
  /**
   * "This wasn't me": sends the token of a security mail's link (read from the page's URL
   * fragment), which ends every session of the account, this one included (signed out here too).
   * Resolves with the account's address, to start a password reset; rejects with
   * `HttpError` code `LINK_INVALID` when the link expired, was used or was replaced.
   */
  reportNotMe: (token: string) => Promise<NotMeResponse>;
  /** A valid access token (refreshed first if it has expired), or `null` when signed out. */
  getAccessToken: () => Promise<string | null>;

  /** Drop-in `fetch` with the Bearer token and one refresh-and-retry on `401 TOKEN_EXPIRED`. */
  fetch: FetchLike;
  /** Installs the same behaviour as axios interceptors; returns a function removing them. */
  axios: (instance: AxiosLikeInstance) => () => void;

  /** Subscribes to an event; returns the unsubscribe function. */
  on: {
    (
      event: "sessionEnded",
      handler: (reason: SessionEndReason, detail: SessionEndDetail) => void,
    ): () => void;
    (event: "tokenRefreshed", handler: (event: TokenRefreshedEvent) => void): () => void;
  };

  /**
   * Attaches listeners (timers, tabs, focus/online) and restores the session the first time.
   * Reference-counted: returns a release function; the listeners detach when the last holder
   * releases. `<AuthProvider>` uses this, which makes StrictMode double mounts harmless.
   */
  start: () => () => void;
  /** Detaches everything now, whoever holds it. Idempotent; `start()` attaches again. */
  dispose: () => void;
}

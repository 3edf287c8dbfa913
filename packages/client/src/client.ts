import type { PublicUser, RefreshTransport, TokenResponse } from "@baton/protocol";
import { createAuthApi } from "./auth-api.js";
import { createStateStore } from "./auth-state.js";
import { createAuthorizedFetch } from "./authorized-fetch.js";
import { installAxiosInterceptors } from "./axios.js";
import { DEFAULT_BACKOFF, retryWithBackoff, type BackoffPolicy } from "./backoff.js";
import type { AuthClient, AuthClientOptions, TokenRefreshedEvent } from "./client-types.js";
import { systemClock } from "./clock.js";
import {
  HttpError,
  isTransientError,
  SessionEndedError,
  type SessionEndDetail,
  type SessionEndReason,
} from "./errors.js";
import { createHeldToken, type HeldToken } from "./held-token.js";
import { consoleLogger, redactingLogger } from "./logger.js";
import { createRefreshCycle } from "./refresh-cycle.js";
import { createRefreshScheduler } from "./refresh-scheduler.js";
import { createSessionHint } from "./session-hint.js";
import { createStoredRefreshToken } from "./stored-refresh-token.js";
import { createTabSync } from "./tab-sync.js";
import { RENEWABLE_CODES, type TokenAccess } from "./token-access.js";
import { createTokenOriginPolicy } from "./token-origins.js";
import { createMemoryTokenStore } from "./token-store.js";
import { createTransport, type ApiResponse, type FetchLike } from "./transport.js";
import { watchWakeEvents, type WakeReason } from "./wake-events.js";

/**
 * Creates the Baton token manager: access token in memory only, session restore through the
 * refresh cookie (or token store), single-flight refresh, proactive refresh before expiry,
 * cross-tab coordination, and back-off that never mistakes a network problem for a logout.
 *
 * @example
 * ```ts
 * import { createAuthClient } from "@baton/client";
 *
 * export const auth = createAuthClient({
 *   baseUrl: "/api/auth",
 *   onSessionEnded: (reason) => {
 *     if (reason !== "LOGOUT") location.assign("/login?expired=1");
 *   },
 * });
 *
 * const orders = await (await auth.fetch("/api/orders")).json();
 * ```
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  if (typeof options?.baseUrl !== "string" || options.baseUrl === "") {
    throw new TypeError('createAuthClient: `baseUrl` is required, e.g. "/api/auth".');
  }
  const browser = typeof window !== "undefined" && typeof document !== "undefined";
  const mode: RefreshTransport = options.transport ?? (browser ? "cookie" : "body");
  if (mode === "cookie" && options.tokenStore) {
    throw new TypeError(
      'createAuthClient: `tokenStore` needs `transport: "body"`; with cookies the refresh token stays in an HttpOnly cookie.',
    );
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const log = redactingLogger(options.logger ?? (options.debug ? consoleLogger : undefined));
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.retry };
  const requestTimeoutMs = options.requestTimeoutMs ?? 8_000;
  const api = createAuthApi(
    createTransport({
      baseUrl: options.baseUrl,
      fetch: fetchImpl,
      clock,
      timeoutMs: requestTimeoutMs,
    }),
    mode,
  );
  const refreshTokens =
    mode === "body"
      ? createStoredRefreshToken(options.tokenStore ?? createMemoryTokenStore(), log)
      : undefined;
  const environment =
    options.environment !== undefined ? options.environment : browser ? { window, document } : null;
  const pageLocation = (globalThis as { location?: { href?: string; origin?: string } }).location;
  const attachesTo = createTokenOriginPolicy({
    baseUrl: options.baseUrl,
    pageOrigin: pageLocation?.origin,
    extraOrigins: options.tokenOrigins,
  });

  const state = createStateStore({ status: "loading", user: null }, (error) =>
    log.warn("a state listener threw", { error }),
  );
  const held = createHeldToken({ clock, random });
  const scheduler = createRefreshScheduler({ clock, onDue: () => onRefreshDue() });
  const tabs = createTabSync({
    baseUrl: options.baseUrl,
    setting: options.crossTab ?? (browser && mode === "cookie"),
    clock,
    defaultLockTimeoutMs: requestTimeoutMs + 5_000,
    logger: log,
    onToken(message) {
      const adopted = held.fromOtherTab(message);
      if (adopted) install(adopted, message.user, "other-tab", false);
    },
    onEnded(message) {
      if (!held.endedElsewhere(message.sessionId)) return;
      if (state.get().status === "anonymous") return;
      endSession(message.reason, false, { revokedReason: message.revokedReason });
    },
  });
  const refreshes = createRefreshCycle({
    clock,
    random,
    retry: policy,
    maxPauseMs: options.maxRefreshCooldownMs ?? 60_000,
    refreshTimeoutMs: Math.min(options.refreshTimeoutMs ?? 4_000, requestTimeoutMs),
    refreshGraceMs: options.refreshGraceMs ?? 10_000,
    logger: log,
    held,
    withLock: (operation) => tabs.withRefreshLock(operation),
    requestTokens: async (timeoutMs) =>
      api.refresh((await refreshTokens?.load(true)) ?? undefined, { timeoutMs }),
    accept: acceptTokens,
    endSession: (reason, detail) => endSession(reason, true, detail),
    onPause({ error, pauseMs, until }) {
      if (state.get().status === "loading" && !isTransientError(error)) {
        // Not a network problem and not a session-ending answer (a CSRF or routing mistake):
        // waiting will not fix it, so show the signed-out state instead of a spinner forever.
        log.warn("session restore failed", { error });
        state.set({ status: "anonymous", user: null });
        return;
      }
      log.warn("refresh failed; pausing before the next attempt", { error, pauseMs });
      if (attached) scheduler.schedule(until);
    },
    mayHaveSession: createSessionHint({
      enabled: options.sessionHint ?? true,
      cookieTransport: mode === "cookie",
      baseUrl: options.baseUrl,
      document: browser ? document : undefined,
      pageUrl: pageLocation?.href,
    }),
  });
  const sessionEndedHandlers = new Set<
    (reason: SessionEndReason, detail: SessionEndDetail) => void
  >();
  const tokenRefreshedHandlers = new Set<(event: TokenRefreshedEvent) => void>();
  if (options.onSessionEnded) sessionEndedHandlers.add(options.onSessionEnded);
  if (options.onTokenRefreshed) tokenRefreshedHandlers.add(options.onTokenRefreshed);

  let holders = 0;
  // Bumped by dispose(), so that release functions handed out earlier become no-ops.
  let lifetime = 0;
  let attached = false;
  let restoreStarted = false;
  let stopWatchingWake = () => {};

  // ---- the session: tokens in, session out ---------------------------------------------------

  async function acceptTokens(
    response: ApiResponse<TokenResponse>,
    source: TokenRefreshedEvent["source"],
  ): Promise<void> {
    const next = held.fromResponse(response);
    const { refreshToken: rotated, user } = response.body;
    if (refreshTokens && rotated) await refreshTokens.save(rotated);
    install(next, user, source, true);
  }

  function install(
    next: HeldToken,
    user: PublicUser,
    source: TokenRefreshedEvent["source"],
    broadcast: boolean,
  ): void {
    held.install(next);
    refreshes.reset();
    state.set({ status: "authenticated", user });
    if (attached) scheduler.schedule(next.refreshAt);
    log.debug("access token in use", {
      source,
      expiresInMs: next.expiresAt - clock.now(),
      refreshInMs: next.refreshAt - clock.now(),
    });
    if (broadcast) tabs.postToken(next, user);
    emit(tokenRefreshedHandlers, {
      accessToken: next.accessToken,
      user,
      expiresAt: next.expiresAt,
      source,
    });
  }

  function endSession(
    reason: SessionEndReason,
    broadcast: boolean,
    detail: SessionEndDetail = {},
  ): void {
    const wasAuthenticated = state.get().status === "authenticated";
    const sessionId = held.end(reason);
    scheduler.cancel();
    refreshes.reset();
    refreshTokens?.clear();
    state.set({ status: "anonymous", user: null });
    log.debug("session ended", { reason, wasAuthenticated });
    if (broadcast && sessionId) tabs.postEnded(reason, sessionId, detail);
    // A page that never had a session (restore found no cookie) has nothing that "ended".
    if (!wasAuthenticated) return;
    for (const handler of [...sessionEndedHandlers]) {
      try {
        handler(reason, detail);
      } catch (error) {
        log.warn("an event handler threw", { error });
      }
    }
  }

  function onRefreshDue(): void {
    if (state.get().status === "anonymous") return;
    refreshes
      .renew(held.current?.generation, false)
      .catch((error: unknown) => log.debug("scheduled refresh did not complete", { error }));
  }

  function onWake(reason: WakeReason): void {
    // A pause after failed refreshes was for a network that is now back.
    if (reason === "online" && refreshes.endPauseForNetwork()) {
      if (state.get().status !== "anonymous") scheduler.schedule(clock.now());
    }
    scheduler.check();
  }

  // ---- calls that need an access token -------------------------------------------------------

  const access: TokenAccess = {
    async acquire() {
      if (state.get().status === "loading") {
        try {
          await refreshes.renew(undefined, false);
        } catch (error) {
          if (error instanceof SessionEndedError) return null;
          throw error;
        }
      }
      const current = held.current;
      if (current && held.isExpired()) await refreshes.renew(current.generation, false);
      return held.issued();
    },
    async renew(rejected) {
      const current = held.current;
      if (!current || current.generation === rejected.generation) {
        await refreshes.renew(rejected.generation, true);
      }
      const renewed = held.issued();
      if (!renewed) throw new SessionEndedError(held.endReason);
      return renewed;
    },
    attachesTo,
  };

  async function authorized<T>(
    call: (accessToken: string) => Promise<T>,
    idempotent: boolean,
  ): Promise<T> {
    const attempt = async () => {
      const issued = await access.acquire();
      if (!issued) throw new HttpError(401, "TOKEN_MISSING", "Nobody is signed in.");
      try {
        return await call(issued.accessToken);
      } catch (error) {
        if (!(error instanceof HttpError) || !RENEWABLE_CODES.has(error.code as never)) throw error;
        return await call((await access.renew(issued)).accessToken);
      }
    };
    if (!idempotent) return attempt();
    return retryWithBackoff(attempt, { clock, policy, random, isRetryable: isTransientError });
  }

  function emit<A>(handlers: Set<(arg: A) => void>, arg: A): void {
    for (const handler of [...handlers]) {
      try {
        handler(arg);
      } catch (error) {
        log.warn("an event handler threw", { error });
      }
    }
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  function attach(): void {
    if (attached) return;
    attached = true;
    tabs.connect();
    stopWatchingWake = environment ? watchWakeEvents(environment, onWake) : () => {};
    if (!restoreStarted) {
      restoreStarted = true;
      refreshes
        .renew(undefined, false)
        .catch((error: unknown) => log.debug("session restore did not complete", { error }));
    } else if (held.current) {
      scheduler.schedule(held.current.refreshAt);
    } else if (state.get().status === "loading") {
      scheduler.schedule(Math.max(refreshes.pausedUntil, clock.now()));
    }
  }

  function detach(): void {
    if (!attached) return;
    attached = false;
    scheduler.cancel();
    stopWatchingWake();
    tabs.disconnect();
  }

  const client: AuthClient = {
    get status() {
      return state.get().status;
    },
    get user() {
      return state.get().user;
    },
    getSnapshot: () => state.get(),
    subscribe: (listener) => state.subscribe(listener),
    ready: () =>
      new Promise((resolve) => {
        if (state.get().status !== "loading") return resolve(state.get());
        // Not started (autoStart: false)? Restore now; otherwise this joins the restore running.
        refreshes.renew(undefined, false).catch(() => undefined);
        const stop = state.subscribe(() => {
          if (state.get().status === "loading") return;
          stop();
          resolve(state.get());
        });
      }),

    async register(input) {
      const response = await tabs.withRefreshLock(() => api.register(input));
      held.supersede();
      await acceptTokens(response, "register");
      return response.body.user;
    },
    async login(input) {
      const response = await tabs.withRefreshLock(() => api.login(input));
      held.supersede();
      await acceptTokens(response, "login");
      return response.body.user;
    },
    async requestPasswordReset(email) {
      await api.requestPasswordReset(email);
    },
    async resetPassword(secret, password) {
      const response = await tabs.withRefreshLock(() => api.resetPassword(secret, password));
      held.supersede();
      await acceptTokens(response, "login");
      return response.body.user;
    },
    async logout() {
      const storedRefreshToken = refreshTokens ? await refreshTokens.load() : null;
      if (state.get().status !== "anonymous" || storedRefreshToken) endSession("LOGOUT", true);
      try {
        // Under the refresh lock, so that no tab is half-way through rotating the cookie.
        await tabs.withRefreshLock(() =>
          retryWithBackoff(() => api.logout(storedRefreshToken ?? undefined), {
            clock,
            policy,
            random,
            isRetryable: isTransientError,
          }),
        );
        return { serverConfirmed: true };
      } catch (error) {
        // A 401 means the server has no session for these credentials: nothing left to revoke.
        if (error instanceof HttpError && error.status === 401) return { serverConfirmed: true };
        log.warn("logout could not reach the server; signed out locally", { error });
        return { serverConfirmed: false };
      }
    },
    async logoutAll() {
      await authorized((accessToken) => api.logoutAll(accessToken), true);
      endSession("LOGOUT", true);
    },
    async refresh() {
      await refreshes.renew(held.current?.generation, false);
      return state.get();
    },
    async me() {
      const user = await authorized((accessToken) => api.me(accessToken), true);
      if (held.current) state.set({ status: "authenticated", user });
      return user;
    },
    sessions: () => authorized((accessToken) => api.sessions(accessToken), true),
    async revokeSession(sessionId) {
      await authorized((accessToken) => api.revokeSession(accessToken, sessionId), true);
      if (held.current?.sessionId === sessionId) endSession("LOGOUT", true);
    },
    async changePassword(input) {
      const response = await authorized(
        (accessToken) => tabs.withRefreshLock(() => api.changePassword(accessToken, input)),
        false,
      );
      await acceptTokens(response, "password");
    },
    async verifyEmail(input) {
      // A code without an address names the signed-in account: that needs the access token.
      const user =
        "code" in input && input.email === undefined
          ? await authorized((accessToken) => api.verifyEmail(input, accessToken), false)
          : await api.verifyEmail(input);
      // The access token says `email_verified` as of its issue: pick up the new one (and, after
      // an email change, the new address) now rather than at the next scheduled refresh.
      if (held.current) await refreshes.renew(held.current.generation, false);
      return user;
    },
    async resendVerification(input) {
      if (input !== undefined) await api.resendVerification({ email: input.email });
      else await authorized((accessToken) => api.resendVerification({ accessToken }), false);
    },
    async changeEmail(input) {
      await authorized((accessToken) => api.changeEmail(accessToken, input), false);
    },
    async undoEmailChange(input) {
      await api.undoEmailChange(input.token);
      // Every session of that account has ended; if it is the one signed in here, the refresh
      // finds this session revoked and ends it like any other revocation.
      if (held.current)
        await refreshes.renew(held.current.generation, false).catch(() => undefined);
    },
    async reportNotMe(token) {
      const reported = await api.reportNotMe(token);
      // Every session of the account ended, so this one did (if this tab is signed in to it).
      if (held.current) endSession("SESSION_REVOKED", true);
      return reported;
    },
    async getAccessToken() {
      return (await access.acquire())?.accessToken ?? null;
    },

    fetch: createAuthorizedFetch(access, fetchImpl),
    axios: (instance) => installAxiosInterceptors(instance, access),

    on: (event: "sessionEnded" | "tokenRefreshed", handler: (...args: never[]) => void) => {
      const handlers = (
        event === "sessionEnded" ? sessionEndedHandlers : tokenRefreshedHandlers
      ) as Set<(...args: never[]) => void>;
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },

    start() {
      holders += 1;
      attach();
      const startedIn = lifetime;
      let released = false;
      return () => {
        if (released || startedIn !== lifetime) return;
        released = true;
        holders -= 1;
        if (holders === 0) detach();
      };
    },
    dispose() {
      lifetime += 1;
      holders = 0;
      detach();
    },
  };

  if (options.autoStart !== false) client.start();
  return client;
}

import type { PublicUser, RefreshTransport, TokenResponse } from "@baton/protocol";
import { decodeAccessToken } from "./access-token.js";
import { createAuthApi } from "./auth-api.js";
import { createStateStore } from "./auth-state.js";
import { createAuthorizedFetch } from "./authorized-fetch.js";
import { installAxiosInterceptors } from "./axios.js";
import { backoffDelay, DEFAULT_BACKOFF, retryWithBackoff, type BackoffPolicy } from "./backoff.js";
import type { AuthClient, AuthClientOptions, TokenRefreshedEvent } from "./client-types.js";
import { sleep, systemClock } from "./clock.js";
import { createSkewEstimator } from "./clock-skew.js";
import {
  createCrossTab,
  type CrossTab,
  type CrossTabMessage,
  type LockManagerLike,
} from "./cross-tab.js";
import {
  HttpError,
  isSessionEndingCode,
  isTransientError,
  NetworkError,
  SessionEndedError,
  type SessionEndReason,
} from "./errors.js";
import { consoleLogger, redactingLogger } from "./logger.js";
import { createRefreshScheduler, refreshLeadTime } from "./refresh-scheduler.js";
import { createSingleFlight } from "./single-flight.js";
import { RENEWABLE_CODES, type IssuedToken, type TokenAccess } from "./token-access.js";
import { createTokenOriginPolicy } from "./token-origins.js";
import { createMemoryTokenStore } from "./token-store.js";
import {
  createTransport,
  serverDateSeconds,
  type ApiResponse,
  type FetchLike,
} from "./transport.js";
import { watchWakeEvents, type WakeReason } from "./wake-events.js";

interface HeldToken extends IssuedToken {
  /** Local clock. */
  readonly expiresAt: number;
  readonly ttlMs: number;
  readonly obtainedAt: number;
  /** When the proactive refresh is due (expiry minus lead time and jitter). */
  readonly refreshAt: number;
  readonly sessionId: string | undefined;
}

// Cool-downs after a failed refresh cycle start around 5 s and grow to `maxRefreshCooldownMs`.
const COOLDOWN_BASE_MS = 5_000;
const ENDED_SESSIONS_REMEMBERED = 32;

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
  const cooldownPolicy: BackoffPolicy = {
    ...DEFAULT_BACKOFF,
    baseMs: COOLDOWN_BASE_MS,
    maxMs: options.maxRefreshCooldownMs ?? 60_000,
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? 8_000;
  const refreshTimeoutMs = Math.min(options.refreshTimeoutMs ?? 4_000, requestTimeoutMs);
  const refreshGraceMs = options.refreshGraceMs ?? 10_000;
  const store = mode === "body" ? (options.tokenStore ?? createMemoryTokenStore()) : undefined;
  const api = createAuthApi(
    createTransport({
      baseUrl: options.baseUrl,
      fetch: fetchImpl,
      clock,
      timeoutMs: requestTimeoutMs,
    }),
    mode,
  );
  const crossTabSetting = options.crossTab ?? (browser && mode === "cookie");
  const environment =
    options.environment !== undefined ? options.environment : browser ? { window, document } : null;
  const attachesTo = createTokenOriginPolicy({
    baseUrl: options.baseUrl,
    pageOrigin: (globalThis as { location?: { origin?: string } }).location?.origin,
    extraOrigins: options.tokenOrigins,
  });

  const skew = createSkewEstimator();
  const state = createStateStore({ status: "loading", user: null }, (error) =>
    log.warn("a state listener threw", { error }),
  );
  const scheduler = createRefreshScheduler({ clock, onDue: () => onRefreshDue() });
  const refreshFlight = createSingleFlight<void>();
  const sessionEndedHandlers = new Set<(reason: SessionEndReason) => void>();
  const tokenRefreshedHandlers = new Set<(event: TokenRefreshedEvent) => void>();
  if (options.onSessionEnded) sessionEndedHandlers.add(options.onSessionEnded);
  if (options.onTokenRefreshed) tokenRefreshedHandlers.add(options.onTokenRefreshed);

  let token: HeldToken | undefined;
  let generation = 0;
  // Bumped whenever the session ends or is replaced: answers that arrive for an older epoch
  // belong to a dead branch and are dropped.
  let sessionEpoch = 0;
  let lastEndReason: SessionEndReason = "LOGOUT";
  const endedSessions: string[] = [];
  let refreshToken: string | null | undefined; // body transport; undefined = not loaded yet
  let failedCycles = 0;
  let cooldownUntil = 0;
  let lastFailure: unknown;
  let lastReactiveRefreshAt = Number.NEGATIVE_INFINITY;

  const detached = createCrossTab({ name: "", clock, lockTimeoutMs: 0, logger: log });
  let crossTab: CrossTab = detached;
  let holders = 0;
  // Bumped by dispose(), so that release functions handed out earlier become no-ops.
  let lifetime = 0;
  let attached = false;
  let restoreStarted = false;
  let stopWatching = () => {};

  // ---- token bookkeeping -------------------------------------------------------------------

  function holdToken(response: ApiResponse<TokenResponse>): HeldToken {
    const { body, sentAt, receivedAt, headers } = response;
    const claims = decodeAccessToken(body.accessToken);
    const dateSeconds = serverDateSeconds(headers);
    if (dateSeconds !== undefined) skew.observe({ serverSeconds: dateSeconds, sentAt, receivedAt });
    let ttlMs = body.expiresIn * 1000;
    let expiresAt = sentAt + ttlMs;
    if (claims) {
      skew.observe({ serverSeconds: claims.iat, sentAt, receivedAt });
      ttlMs = (claims.exp - claims.iat) * 1000;
      // A token cannot outlive its lifetime counted from when it reached us, whatever the skew
      // estimate says.
      expiresAt = Math.min(skew.toLocal(claims.exp * 1000), receivedAt + ttlMs);
    }
    return makeHeld(body.accessToken, expiresAt, ttlMs, receivedAt, claims?.sid);
  }

  function makeHeld(
    accessToken: string,
    expiresAt: number,
    ttlMs: number,
    obtainedAt: number,
    sessionId: string | undefined,
  ): HeldToken {
    generation += 1;
    return {
      accessToken,
      generation,
      expiresAt,
      ttlMs,
      obtainedAt,
      refreshAt: expiresAt - refreshLeadTime(ttlMs, random),
      sessionId,
    };
  }

  async function acceptTokens(
    response: ApiResponse<TokenResponse>,
    source: TokenRefreshedEvent["source"],
  ): Promise<void> {
    const held = holdToken(response);
    const { refreshToken: rotated, user } = response.body;
    if (store && rotated) {
      refreshToken = rotated;
      try {
        await store.save(rotated);
      } catch (error) {
        log.warn("could not save the refresh token; it is kept in memory", { error });
      }
    }
    install(held, user, source, true);
  }

  function install(
    held: HeldToken,
    user: PublicUser,
    source: TokenRefreshedEvent["source"],
    broadcast: boolean,
  ): void {
    if (token && token.sessionId !== held.sessionId) sessionEpoch += 1;
    token = held;
    failedCycles = 0;
    cooldownUntil = 0;
    state.set({ status: "authenticated", user });
    if (attached) scheduler.schedule(held.refreshAt);
    log.debug("access token in use", {
      source,
      expiresInMs: held.expiresAt - clock.now(),
      refreshInMs: held.refreshAt - clock.now(),
    });
    if (broadcast) {
      crossTab.post({
        type: "token",
        accessToken: held.accessToken,
        user,
        expiresAt: held.expiresAt,
        ttlMs: held.ttlMs,
        obtainedAt: held.obtainedAt,
        sessionId: held.sessionId,
      });
    }
    emit(tokenRefreshedHandlers, {
      accessToken: held.accessToken,
      user,
      expiresAt: held.expiresAt,
      source,
    });
  }

  function endSession(reason: SessionEndReason, broadcast: boolean): void {
    const wasAuthenticated = state.get().status === "authenticated";
    const sessionId = token?.sessionId;
    sessionEpoch += 1;
    lastEndReason = reason;
    if (sessionId) rememberEnded(sessionId);
    token = undefined;
    scheduler.cancel();
    failedCycles = 0;
    cooldownUntil = 0;
    if (store) {
      refreshToken = null;
      void Promise.resolve()
        .then(() => store.clear())
        .catch((error: unknown) => log.warn("could not clear the token store", { error }));
    }
    state.set({ status: "anonymous", user: null });
    log.debug("session ended", { reason, wasAuthenticated });
    if (broadcast && sessionId) crossTab.post({ type: "ended", reason, sessionId });
    // A page that never had a session (restore found no cookie) has nothing that "ended".
    if (wasAuthenticated) emit(sessionEndedHandlers, reason);
  }

  function rememberEnded(sessionId: string): void {
    if (endedSessions.includes(sessionId)) return;
    endedSessions.push(sessionId);
    if (endedSessions.length > ENDED_SESSIONS_REMEMBERED) endedSessions.shift();
  }

  /**
   * The refresh token to send. With a token store it is re-read every time (`fresh`), inside the
   * refresh lock: another client sharing the store (another tab or process) may have rotated it,
   * and sending an old copy after the grace window would look like theft.
   */
  async function loadRefreshToken(fresh = false): Promise<string | null> {
    if ((refreshToken === undefined || fresh) && store) {
      try {
        refreshToken = await store.load();
      } catch (error) {
        log.warn("could not read the token store", { error });
        refreshToken ??= null;
      }
    }
    return refreshToken ?? null;
  }

  // ---- refreshing --------------------------------------------------------------------------

  /**
   * Makes sure the token of generation `stale` (or no token, when restoring) is replaced. All
   * callers share one cycle. `reactive` marks refreshes forced by a server's 401.
   */
  function renewToken(stale: number | undefined, reactive: boolean): Promise<void> {
    if (
      token &&
      stale !== undefined &&
      token.generation !== stale &&
      clock.now() < token.expiresAt
    ) {
      return Promise.resolve();
    }
    return refreshFlight.run(() => refreshCycle(stale, reactive));
  }

  async function refreshCycle(stale: number | undefined, reactive: boolean): Promise<void> {
    if (clock.now() < cooldownUntil) throw lastFailure;
    if (reactive) {
      // A server that rejects even fresh tokens as expired (its clock is wrong, a role change
      // loop) must not get one refresh per request: at most one reactive refresh per spacing.
      const spacing = Math.min(5_000, Math.max(250, (token?.ttlMs ?? 20_000) / 4));
      const wait = lastReactiveRefreshAt + spacing - clock.now();
      if (wait > 0) await sleep(clock, wait);
      lastReactiveRefreshAt = clock.now();
    }
    const epoch = sessionEpoch;
    // When an attempt ends without an answer (time-out, connection lost) the server may have
    // rotated the token anyway; it then accepts the presented token only for its grace window,
    // counted from that rotation. From the first such attempt on, the cycle works towards the
    // soonest moment that window can close.
    let graceEndsAt: number | undefined;
    try {
      await retryWithBackoff(
        async () => {
          // Leave room for at least two more attempts before the window closes.
          const timeoutMs =
            graceEndsAt === undefined
              ? refreshTimeoutMs
              : Math.min(refreshTimeoutMs, Math.max(1_000, (graceEndsAt - clock.now()) / 2));
          const sentAt = clock.now();
          try {
            await lockedRefresh(stale, epoch, timeoutMs);
          } catch (error) {
            // An offline browser sent nothing: no rotation can have happened.
            if (error instanceof NetworkError && !offline()) {
              graceEndsAt ??= sentAt + refreshGraceMs - 500;
            }
            throw error;
          }
        },
        {
          clock,
          policy,
          random,
          isRetryable: isTransientError,
          // Giving up inside the window loses the session for sure if the rotation happened:
          // the next cycle would present a token the server then treats as stolen.
          continueWhile: () => graceEndsAt !== undefined && clock.now() < graceEndsAt,
          onRetry: ({ error, retry, delayMs }) =>
            log.debug("refresh failed; retrying", { error, retry, delayMs }),
        },
      );
    } catch (error) {
      if (error instanceof SessionEndedError) throw error;
      if (error instanceof HttpError && isSessionEndingCode(error.code)) {
        if (sessionEpoch === epoch) endSession(error.code, true);
        throw new SessionEndedError(lastEndReason);
      }
      enterCooldown(error);
      throw error;
    }
  }

  async function lockedRefresh(
    stale: number | undefined,
    epoch: number,
    timeoutMs: number,
  ): Promise<void> {
    await crossTab.withRefreshLock(async () => {
      if (sessionEpoch !== epoch) return abandonCycle();
      // While we waited for the lock, another tab may have refreshed and sent us its token.
      if (token && token.generation !== stale && clock.now() < token.refreshAt) return;
      const response = await api.refresh((await loadRefreshToken(true)) ?? undefined, {
        timeoutMs,
      });
      if (sessionEpoch !== epoch) return abandonCycle();
      await acceptTokens(response, stale === undefined ? "restore" : "refresh");
    });
  }

  /** The session ended or was replaced during a refresh: callers use whatever is current now. */
  function abandonCycle(): void {
    if (!token) throw new SessionEndedError(lastEndReason);
  }

  function offline(): boolean {
    return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
  }

  function enterCooldown(error: unknown): void {
    failedCycles += 1;
    const retryAfter = error instanceof HttpError ? (error.retryAfterMs ?? 0) : 0;
    const pause = Math.max(backoffDelay(failedCycles - 1, cooldownPolicy, random), retryAfter);
    cooldownUntil = clock.now() + pause;
    lastFailure = error;
    if (state.get().status === "loading" && !isTransientError(error)) {
      // Not a network problem and not a session-ending answer (a CSRF or routing mistake):
      // waiting will not fix it, so show the signed-out state instead of a spinner forever.
      log.warn("session restore failed", { error });
      state.set({ status: "anonymous", user: null });
      return;
    }
    log.warn("refresh failed; pausing before the next attempt", { error, pauseMs: pause });
    if (attached) scheduler.schedule(cooldownUntil);
  }

  function onRefreshDue(): void {
    if (state.get().status === "anonymous") return;
    renewToken(token?.generation, false).catch((error: unknown) =>
      log.debug("scheduled refresh did not complete", { error }),
    );
  }

  function onWake(reason: WakeReason): void {
    if (reason === "online" && clock.now() < cooldownUntil) {
      // The pause was for a network that is now back.
      cooldownUntil = 0;
      if (state.get().status !== "anonymous") scheduler.schedule(clock.now());
    }
    scheduler.check();
  }

  // ---- other tabs --------------------------------------------------------------------------

  function onCrossTabMessage(message: CrossTabMessage): void {
    if (message.type === "token") {
      if (message.sessionId && endedSessions.includes(message.sessionId)) return;
      if (
        token &&
        token.sessionId === message.sessionId &&
        token.obtainedAt >= message.obtainedAt
      ) {
        return;
      }
      const held = makeHeld(
        message.accessToken,
        message.expiresAt,
        message.ttlMs,
        message.obtainedAt,
        message.sessionId,
      );
      install(held, message.user, "other-tab", false);
    } else if (message.type === "ended") {
      if (message.sessionId) rememberEnded(message.sessionId);
      if (state.get().status === "anonymous") return;
      if (token?.sessionId && message.sessionId && token.sessionId !== message.sessionId) return;
      endSession(message.reason, false);
    }
  }

  function connectTabs(): CrossTab {
    if (crossTabSetting === false) return detached;
    const settings = crossTabSetting === true ? {} : crossTabSetting;
    const name = `baton:${options.baseUrl}`;
    const channel = settings.channel
      ? settings.channel(name)
      : typeof BroadcastChannel === "function"
        ? new BroadcastChannel(name)
        : null;
    const locks =
      settings.locks !== undefined
        ? settings.locks
        : ((globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks ?? null);
    return createCrossTab({
      name,
      clock,
      lockTimeoutMs: settings.lockTimeoutMs ?? requestTimeoutMs + 5_000,
      channel,
      locks,
      logger: log,
    });
  }

  // ---- calls that need an access token -------------------------------------------------------

  const access: TokenAccess = {
    async acquire() {
      if (state.get().status === "loading") {
        try {
          await renewToken(undefined, false);
        } catch (error) {
          if (error instanceof SessionEndedError) return null;
          throw error;
        }
      }
      if (token && clock.now() >= token.expiresAt) await renewToken(token.generation, false);
      return current();
    },
    async renew(rejected) {
      if (!token || token.generation === rejected.generation) {
        await renewToken(rejected.generation, true);
      }
      const renewed = current();
      if (!renewed) throw new SessionEndedError(lastEndReason);
      return renewed;
    },
    attachesTo,
  };

  function current(): IssuedToken | null {
    return token ? { accessToken: token.accessToken, generation: token.generation } : null;
  }

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
    crossTab = connectTabs();
    const stopMessages = crossTab.onMessage(onCrossTabMessage);
    const stopWake = environment ? watchWakeEvents(environment, onWake) : () => {};
    stopWatching = () => {
      stopMessages();
      stopWake();
    };
    if (!restoreStarted) {
      restoreStarted = true;
      renewToken(undefined, false).catch((error: unknown) =>
        log.debug("session restore did not complete", { error }),
      );
    } else if (token) {
      scheduler.schedule(token.refreshAt);
    } else if (state.get().status === "loading") {
      scheduler.schedule(Math.max(cooldownUntil, clock.now()));
    }
  }

  function detach(): void {
    if (!attached) return;
    attached = false;
    scheduler.cancel();
    stopWatching();
    crossTab.close();
    crossTab = detached;
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
        renewToken(undefined, false).catch(() => undefined);
        const stop = state.subscribe(() => {
          if (state.get().status === "loading") return;
          stop();
          resolve(state.get());
        });
      }),

    async register(input) {
      const response = await crossTab.withRefreshLock(() => api.register(input));
      sessionEpoch += 1;
      await acceptTokens(response, "register");
      return response.body.user;
    },
    async login(input) {
      const response = await crossTab.withRefreshLock(() => api.login(input));
      sessionEpoch += 1;
      await acceptTokens(response, "login");
      return response.body.user;
    },
    async logout() {
      const storedRefreshToken = store ? await loadRefreshToken() : null;
      if (state.get().status !== "anonymous" || storedRefreshToken) endSession("LOGOUT", true);
      try {
        // Under the refresh lock, so that no tab is half-way through rotating the cookie.
        await crossTab.withRefreshLock(() =>
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
      await renewToken(token?.generation, false);
      return state.get();
    },
    async me() {
      const user = await authorized((accessToken) => api.me(accessToken), true);
      if (token) state.set({ status: "authenticated", user });
      return user;
    },
    sessions: () => authorized((accessToken) => api.sessions(accessToken), true),
    async revokeSession(sessionId) {
      await authorized((accessToken) => api.revokeSession(accessToken, sessionId), true);
      if (token?.sessionId === sessionId) endSession("LOGOUT", true);
    },
    async changePassword(input) {
      const response = await authorized(
        (accessToken) => crossTab.withRefreshLock(() => api.changePassword(accessToken, input)),
        false,
      );
      await acceptTokens(response, "password");
    },
    async getAccessToken() {
      return (await access.acquire())?.accessToken ?? null;
    },

    fetch: createAuthorizedFetch(access, fetchImpl),
    axios: (instance) => installAxiosInterceptors(instance, access),

    on: (event: "sessionEnded" | "tokenRefreshed", handler: (arg: never) => void) => {
      const handlers = (
        event === "sessionEnded" ? sessionEndedHandlers : tokenRefreshedHandlers
      ) as Set<(arg: never) => void>;
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

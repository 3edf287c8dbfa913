import type { TokenResponse } from "@baton/protocol";
import { backoffDelay, DEFAULT_BACKOFF, retryWithBackoff, type BackoffPolicy } from "./backoff.js";
import { sleep, type Clock } from "./clock.js";
import {
  HttpError,
  isSessionEndingCode,
  isTransientError,
  NetworkError,
  SessionEndedError,
  type SessionEndDetail,
  type SessionEndReason,
} from "./errors.js";
import type { HeldTokenOwner } from "./held-token.js";
import type { AuthLogger } from "./logger.js";
import { createSingleFlight } from "./single-flight.js";
import type { ApiResponse } from "./transport.js";

/**
 * Replaces the held token: one refresh cycle at a time for every caller, retried with back-off
 * (and past its attempts while the server's grace window may still accept the presented token),
 * under the cross-tab refresh lock, followed by a pause that grows with each failed cycle.
 */
export interface RefreshCycle {
  /**
   * Makes sure the token of generation `stale` (or no token, when restoring) is replaced. All
   * callers share one cycle. `reactive` marks refreshes forced by a server's 401. Rejects with
   * `SessionEndedError` when the session is over, or with the transient error of a failed cycle
   * (also during the pause that follows it).
   */
  renew(stale: number | undefined, reactive: boolean): Promise<void>;
  /** Forgets failed cycles and ends the pause: a token was installed, or the session ended. */
  reset(): void;
  /** When the pause after a failed cycle ends (local clock; 0 or past when there is none). */
  readonly pausedUntil: number;
  /** The network is back: ends a pause, which was for it. Returns whether there was one. */
  endPauseForNetwork(): boolean;
}

/** What the refresh cycle needs from the rest of the client. */
export interface RefreshCycleOptions {
  clock: Clock;
  random: () => number;
  /** Retries within one cycle. */
  retry: BackoffPolicy;
  /** Longest pause between failed cycles. */
  maxPauseMs: number;
  /** Time-out of one refresh attempt. */
  refreshTimeoutMs: number;
  /** The server's grace window for a rotated refresh token. */
  refreshGraceMs: number;
  logger: AuthLogger;
  held: HeldTokenOwner;
  /** Runs `operation` under the cross-tab refresh lock. */
  withLock: <T>(operation: () => Promise<T>) => Promise<T>;
  /** `POST /refresh` with the refresh token (re-read from its store, if any). */
  requestTokens: (timeoutMs: number) => Promise<ApiResponse<TokenResponse>>;
  /** Puts the answer's tokens in use. */
  accept: (response: ApiResponse<TokenResponse>, source: "restore" | "refresh") => Promise<void>;
  /** Ends the session, in every tab. */
  endSession: (reason: SessionEndReason, detail?: SessionEndDetail) => void;
  /** A cycle failed without ending the session; the next one waits until `until`. */
  onPause: (failure: { error: unknown; pauseMs: number; until: number }) => void;
  /**
   * Whether a session can exist to restore when no token is held; `false` ends the restore as
   * "no session" without a request (the session hint cookie is absent).
   */
  mayHaveSession: () => boolean;
}

// Pauses after a failed refresh cycle start around 5 s and grow to `maxPauseMs`.
const PAUSE_BASE_MS = 5_000;

/** Creates a {@link RefreshCycle}. */
export function createRefreshCycle(options: RefreshCycleOptions): RefreshCycle {
  const { clock, random, retry, refreshTimeoutMs, refreshGraceMs, logger: log, held } = options;
  const pausePolicy: BackoffPolicy = {
    ...DEFAULT_BACKOFF,
    baseMs: PAUSE_BASE_MS,
    maxMs: options.maxPauseMs,
  };
  const flight = createSingleFlight<void>();
  let failedCycles = 0;
  let pausedUntil = 0;
  let lastFailure: unknown;
  let lastReactiveRefreshAt = Number.NEGATIVE_INFINITY;

  async function cycle(stale: number | undefined, reactive: boolean): Promise<void> {
    if (clock.now() < pausedUntil) throw lastFailure;
    if (reactive) {
      // A server that rejects even fresh tokens as expired (its clock is wrong, a role change
      // loop) must not get one refresh per request: at most one reactive refresh per spacing.
      const spacing = Math.min(5_000, Math.max(250, (held.current?.ttlMs ?? 20_000) / 4));
      const wait = lastReactiveRefreshAt + spacing - clock.now();
      if (wait > 0) await sleep(clock, wait);
      lastReactiveRefreshAt = clock.now();
    }
    const epoch = held.epoch;
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
          policy: retry,
          random,
          isRetryable: isTransientError,
          // Giving up inside the window loses the session for sure if the rotation happened:
          // the next cycle would present a token the server then treats as stolen.
          continueWhile: () => graceEndsAt !== undefined && clock.now() < graceEndsAt,
          onRetry: ({ error, retry: attempt, delayMs }) =>
            log.debug("refresh failed; retrying", { error, retry: attempt, delayMs }),
        },
      );
    } catch (error) {
      if (error instanceof SessionEndedError) throw error;
      if (error instanceof HttpError && isSessionEndingCode(error.code)) {
        if (held.isCurrent(epoch)) options.endSession(error.code, { revokedReason: error.reason });
        throw new SessionEndedError(held.endReason);
      }
      pause(error);
      throw error;
    }
  }

  async function lockedRefresh(
    stale: number | undefined,
    epoch: number,
    timeoutMs: number,
  ): Promise<void> {
    await options.withLock(async () => {
      if (!held.isCurrent(epoch)) return abandon();
      // While we waited for the lock, another tab may have refreshed and sent us its token.
      if (held.replacedAndNotDue(stale)) return;
      if (!held.current && !options.mayHaveSession()) return noSessionToRestore();
      const response = await options.requestTokens(timeoutMs);
      if (!held.isCurrent(epoch)) return abandon();
      await options.accept(response, stale === undefined ? "restore" : "refresh");
    });
  }

  /** The session ended or was replaced during a refresh: callers use whatever is current now. */
  function abandon(): void {
    if (!held.current) throw new SessionEndedError(held.endReason);
  }

  /** What the server would answer (`401 REFRESH_MISSING`), without asking it. */
  function noSessionToRestore(): never {
    log.debug("no session hint cookie: nothing to restore, no request made");
    options.endSession("REFRESH_MISSING");
    throw new SessionEndedError(held.endReason);
  }

  function pause(error: unknown): void {
    failedCycles += 1;
    const retryAfter = error instanceof HttpError ? (error.retryAfterMs ?? 0) : 0;
    const pauseMs = Math.max(backoffDelay(failedCycles - 1, pausePolicy, random), retryAfter);
    pausedUntil = clock.now() + pauseMs;
    lastFailure = error;
    options.onPause({ error, pauseMs, until: pausedUntil });
  }

  return {
    renew(stale, reactive) {
      if (held.replacedAndValid(stale)) return Promise.resolve();
      return flight.run(() => cycle(stale, reactive));
    },
    reset() {
      failedCycles = 0;
      pausedUntil = 0;
    },
    get pausedUntil() {
      return pausedUntil;
    },
    endPauseForNetwork() {
      if (clock.now() >= pausedUntil) return false;
      pausedUntil = 0;
      return true;
    },
  };
}

function offline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
}

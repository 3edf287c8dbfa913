import type { TokenResponse } from "@baton/protocol";
import { decodeAccessToken } from "./access-token.js";
import type { Clock } from "./clock.js";
import { createSkewEstimator } from "./clock-skew.js";
import type { SessionEndReason } from "./errors.js";
import { refreshLeadTime } from "./refresh-scheduler.js";
import type { IssuedToken } from "./token-access.js";
import { serverDateSeconds, type ApiResponse } from "./transport.js";

/** The access token in use, with its timing in the local clock. */
export interface HeldToken extends IssuedToken {
  readonly expiresAt: number;
  readonly ttlMs: number;
  readonly obtainedAt: number;
  /** When the proactive refresh is due (expiry minus lead time and jitter). */
  readonly refreshAt: number;
  readonly sessionId: string | undefined;
}

/** A token another tab obtained and posted (its times are in the local clock the tabs share). */
export interface TokenFromOtherTab {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly ttlMs: number;
  readonly obtainedAt: number;
  readonly sessionId: string | undefined;
}

/**
 * The one owner of the token the client holds, and of what decides whether a late answer may
 * still replace it: the token's generation (a request rejected with generation 7 can tell whether
 * someone already replaced it), the session epoch (bumped whenever the session ends or is
 * replaced, so an answer that arrives for an older epoch belongs to a dead branch and is dropped),
 * and the sessions recently ended (so that a late message from another tab cannot resurrect one).
 */
export interface HeldTokenOwner {
  /** The token in use; an immutable snapshot. */
  readonly current: HeldToken | undefined;
  /** The token to send, as request wrappers see it. */
  issued(): IssuedToken | null;
  /** Builds the next token from a server answer, correcting its expiry for clock skew. */
  fromResponse(response: ApiResponse<TokenResponse>): HeldToken;
  /**
   * Builds the next token from another tab's message, unless it belongs to a session that ended
   * or is not newer than the token held for the same session.
   */
  fromOtherTab(message: TokenFromOtherTab): HeldToken | undefined;
  /** Puts `held` in use; a token of another session starts a new epoch. */
  install(held: HeldToken): void;
  /** Drops the token and starts a new epoch; returns the id of the session that ended. */
  end(reason: SessionEndReason): string | undefined;
  /** Starts a new epoch before a new session arrives (login, register). */
  supersede(): void;
  /**
   * Remembers that another tab ended `sessionId`; returns whether that ends the session held
   * here (it does unless a different, known session is held).
   */
  endedElsewhere(sessionId: string | undefined): boolean;
  readonly epoch: number;
  /** Whether nothing ended or replaced the session since `epoch` was read. */
  isCurrent(epoch: number): boolean;
  /** Why the last session ended. */
  readonly endReason: SessionEndReason;
  /** Whether the held token has expired (local clock, skew-corrected). */
  isExpired(): boolean;
  /** Whether the token of generation `stale` was replaced by one that has not expired. */
  replacedAndValid(stale: number | undefined): boolean;
  /** Whether a token other than generation `stale` is held and its refresh is not due yet. */
  replacedAndNotDue(stale: number | undefined): boolean;
}

// Enough for every session a browser's tabs can have ended recently; bounded so that a page left
// open for weeks does not grow it.
const ENDED_SESSIONS_REMEMBERED = 32;

/** Creates the {@link HeldTokenOwner}; `random` jitters the proactive refresh time. */
export function createHeldToken(options: { clock: Clock; random: () => number }): HeldTokenOwner {
  const { clock, random } = options;
  const skew = createSkewEstimator();
  let token: HeldToken | undefined;
  let generation = 0;
  let epoch = 0;
  let endReason: SessionEndReason = "LOGOUT";
  const endedSessions: string[] = [];

  function make(
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

  function rememberEnded(sessionId: string): void {
    if (endedSessions.includes(sessionId)) return;
    endedSessions.push(sessionId);
    if (endedSessions.length > ENDED_SESSIONS_REMEMBERED) endedSessions.shift();
  }

  return {
    get current() {
      return token;
    },
    issued() {
      return token ? { accessToken: token.accessToken, generation: token.generation } : null;
    },
    fromResponse({ body, sentAt, receivedAt, headers }) {
      const claims = decodeAccessToken(body.accessToken);
      const dateSeconds = serverDateSeconds(headers);
      if (dateSeconds !== undefined) {
        skew.observe({ serverSeconds: dateSeconds, sentAt, receivedAt });
      }
      let ttlMs = body.expiresIn * 1000;
      let expiresAt = sentAt + ttlMs;
      if (claims) {
        skew.observe({ serverSeconds: claims.iat, sentAt, receivedAt });
        ttlMs = (claims.exp - claims.iat) * 1000;
        // A token cannot outlive its lifetime counted from when it reached us, whatever the skew
        // estimate says.
        expiresAt = Math.min(skew.toLocal(claims.exp * 1000), receivedAt + ttlMs);
      }
      return make(body.accessToken, expiresAt, ttlMs, receivedAt, claims?.sid);
    },
    fromOtherTab(message) {
      if (message.sessionId && endedSessions.includes(message.sessionId)) return undefined;
      if (
        token &&
        token.sessionId === message.sessionId &&
        token.obtainedAt >= message.obtainedAt
      ) {
        return undefined;
      }
      return make(
        message.accessToken,
        message.expiresAt,
        message.ttlMs,
        message.obtainedAt,
        message.sessionId,
      );
    },
    install(held) {
      if (token && token.sessionId !== held.sessionId) epoch += 1;
      token = held;
    },
    end(reason) {
      const sessionId = token?.sessionId;
      epoch += 1;
      endReason = reason;
      if (sessionId) rememberEnded(sessionId);
      token = undefined;
      return sessionId;
    },
    supersede() {
      epoch += 1;
    },
    endedElsewhere(sessionId) {
      if (sessionId) rememberEnded(sessionId);
      return !(token?.sessionId && sessionId && token.sessionId !== sessionId);
    },
    get epoch() {
      return epoch;
    },
    isCurrent: (read) => read === epoch,
    get endReason() {
      return endReason;
    },
    isExpired: () => token !== undefined && clock.now() >= token.expiresAt,
    replacedAndValid: (stale) =>
      token !== undefined &&
      stale !== undefined &&
      token.generation !== stale &&
      clock.now() < token.expiresAt,
    replacedAndNotDue: (stale) =>
      token !== undefined && token.generation !== stale && clock.now() < token.refreshAt,
  };
}

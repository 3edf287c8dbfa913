import type { PublicUser } from "@baton/protocol";
import type { CrossTabOptions } from "./client-types.js";
import type { Clock } from "./clock.js";
import {
  createCrossTab,
  type CrossTab,
  type CrossTabMessage,
  type LockManagerLike,
} from "./cross-tab.js";
import type { SessionEndDetail, SessionEndReason } from "./errors.js";
import type { HeldToken } from "./held-token.js";
import type { AuthLogger } from "./logger.js";

type TokenMessage = Extract<CrossTabMessage, { type: "token" }>;
type EndedMessage = Extract<CrossTabMessage, { type: "ended" }>;

/**
 * The client's link to the other tabs of its origin: connected while the client is started,
 * detached otherwise. Detached (or with `crossTab: false`), the refresh lock still serialises
 * this client's own refreshes, logins and logouts.
 */
export interface TabSync {
  /** Opens the channel and the locks the `crossTab` setting asks for, and starts listening. */
  connect(): void;
  /** Stops listening and closes the channel. */
  disconnect(): void;
  /** Runs `operation` while no other tab (and no other operation here) refreshes. */
  withRefreshLock<T>(operation: () => Promise<T>): Promise<T>;
  /** Tells the other tabs which token is now in use. */
  postToken(held: HeldToken, user: PublicUser): void;
  /** Tells the other tabs that session `sessionId` ended. */
  postEnded(reason: SessionEndReason, sessionId: string, detail?: SessionEndDetail): void;
}

/**
 * Creates a {@link TabSync}. `onToken` and `onEnded` receive the other tabs' messages while
 * connected; what to make of them is the caller's decision.
 */
export function createTabSync(options: {
  /** The auth server's base URL: tabs of clients for one server share a channel and a lock. */
  baseUrl: string;
  setting: boolean | CrossTabOptions;
  clock: Clock;
  /** Default lock time-out: a request time-out plus a margin, so a slow refresh is waited for. */
  defaultLockTimeoutMs: number;
  logger: AuthLogger;
  onToken: (message: TokenMessage) => void;
  onEnded: (message: EndedMessage) => void;
}): TabSync {
  const { baseUrl, setting, clock, defaultLockTimeoutMs, logger } = options;
  const detached = createCrossTab({ name: "", clock, lockTimeoutMs: 0, logger });
  let crossTab: CrossTab = detached;
  let stopListening = () => {};

  function open(): CrossTab {
    if (setting === false) return detached;
    const settings = setting === true ? {} : setting;
    const name = `baton:${baseUrl}`;
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
      lockTimeoutMs: settings.lockTimeoutMs ?? defaultLockTimeoutMs,
      channel,
      locks,
      logger,
    });
  }

  return {
    connect() {
      crossTab = open();
      stopListening = crossTab.onMessage((message) => {
        if (message.type === "token") options.onToken(message);
        else if (message.type === "ended") options.onEnded(message);
      });
    },
    disconnect() {
      stopListening();
      stopListening = () => {};
      crossTab.close();
      crossTab = detached;
    },
    withRefreshLock: (operation) => crossTab.withRefreshLock(operation),
    postToken(held, user) {
      crossTab.post({
        type: "token",
        accessToken: held.accessToken,
        user,
        expiresAt: held.expiresAt,
        ttlMs: held.ttlMs,
        obtainedAt: held.obtainedAt,
        sessionId: held.sessionId,
      });
    },
    postEnded(reason, sessionId, detail = {}) {
      crossTab.post({
        type: "ended",
        reason,
        sessionId,
        ...(detail.revokedReason !== undefined && { revokedReason: detail.revokedReason }),
      });
    },
  };
}

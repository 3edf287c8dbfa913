import type { PublicUser } from "@baton/protocol";
import type { Clock } from "./clock.js";
import type { SessionEndReason } from "./errors.js";
import type { AuthLogger } from "./logger.js";

/**
 * The part of `BroadcastChannel` the client uses (inject a fake in tests).
 *
 * @example
 * ```ts
 * const channel: BroadcastChannelLike = new BroadcastChannel("baton");
 * ```
 */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/**
 * The part of the Web Locks API (`navigator.locks`) the client uses (inject a fake in tests).
 *
 * @example
 * ```ts
 * const locks: LockManagerLike | undefined = globalThis.navigator?.locks;
 * ```
 */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => Promise<T>,
  ): Promise<T>;
}

/**
 * What tabs tell each other. Access tokens travel only over `BroadcastChannel`, which delivers to
 * same-origin tabs in memory; nothing is ever written to `localStorage`, where any injected
 * script (and every browser extension with page access) could read it later.
 */
export type CrossTabMessage =
  | {
      type: "token";
      accessToken: string;
      user: PublicUser;
      /** Local clock; tabs of one browser share it. */
      expiresAt: number;
      ttlMs: number;
      obtainedAt: number;
      sessionId: string | undefined;
    }
  | {
      type: "ended";
      reason: SessionEndReason;
      sessionId: string | undefined;
      /** The server's why, when it said (`SessionEndDetail`). */
      revokedReason?: string;
    }
  | { type: "refresh-start"; id: string; at: number }
  | { type: "refresh-end"; id: string };

/** Coordination between the tabs of one origin: a message bus and a refresh lock. */
export interface CrossTab {
  post(message: CrossTabMessage): void;
  onMessage(handler: (message: CrossTabMessage) => void): () => void;
  /**
   * Runs `operation` while no other tab is refreshing. If the lock cannot be had within the
   * time-out (a hung tab, a browser bug), `operation` runs anyway: the server's grace window makes
   * a concurrent refresh safe, whereas waiting forever is a hang (Supabase's lock deadlocks).
   */
  withRefreshLock<T>(operation: () => Promise<T>): Promise<T>;
  close(): void;
}

/**
 * Creates a {@link CrossTab}. Uses `navigator.locks` when present; with only `BroadcastChannel`
 * it falls back to announcing refreshes ("refresh-start"/"refresh-end") and waiting for an
 * announced one to finish; with neither, it only serialises this tab's own operations (Node).
 */
export function createCrossTab(options: {
  name: string;
  clock: Clock;
  lockTimeoutMs: number;
  channel?: BroadcastChannelLike | null;
  locks?: LockManagerLike | null;
  logger?: AuthLogger;
}): CrossTab {
  const { name, clock, lockTimeoutMs, channel, locks, logger } = options;
  const handlers = new Set<(message: CrossTabMessage) => void>();
  const listener = (event: { data: unknown }) => {
    const message = parseMessage(event.data);
    if (message) for (const handler of handlers) handler(message);
  };
  channel?.addEventListener("message", listener);

  const post = (message: CrossTabMessage) => {
    try {
      channel?.postMessage(message);
    } catch (error) {
      // A closed channel (page unloading) must not break the caller's logout or refresh.
      logger?.warn("cross-tab message not sent", { error });
    }
  };
  const onMessage = (handler: (message: CrossTabMessage) => void) => {
    handlers.add(handler);
    return () => void handlers.delete(handler);
  };

  let withRefreshLock: CrossTab["withRefreshLock"];
  if (locks) {
    withRefreshLock = (operation) => withWebLock(locks, `${name}:refresh`, operation);
  } else if (channel) {
    withRefreshLock = createAnnouncedLock({ clock, lockTimeoutMs, post, onMessage, logger });
  } else {
    // Alone (Node, or no cross-tab support): still one refresh, login or logout at a time here.
    withRefreshLock = createLocalMutex();
  }

  async function withWebLock<T>(
    lockManager: LockManagerLike,
    lockName: string,
    operation: () => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    let granted = false;
    const timer = clock.setTimeout(() => controller.abort(), lockTimeoutMs);
    try {
      return await lockManager.request(lockName, { signal: controller.signal }, () => {
        granted = true;
        clock.clearTimeout(timer);
        return operation();
      });
    } catch (error) {
      if (granted || !controller.signal.aborted) throw error;
      logger?.warn("refresh lock not granted in time; refreshing without it", { lockTimeoutMs });
      return operation();
    } finally {
      clock.clearTimeout(timer);
    }
  }

  return {
    post,
    onMessage,
    withRefreshLock,
    close() {
      handlers.clear();
      channel?.removeEventListener("message", listener);
      channel?.close();
    },
  };
}

/**
 * The BroadcastChannel-only lock. A tab claims the refresh ("refresh-start" with its id and
 * time), listens for a short claim window, and yields to any earlier claim (ties broken by id);
 * losers wait for the winner's "refresh-end" (or the time-out, if the winner died) and then find
 * its token already delivered. Without atomic locks two tabs can still both win when messages
 * take longer than the window, which is what the server's grace window is for.
 */
function createAnnouncedLock(options: {
  clock: Clock;
  lockTimeoutMs: number;
  post: (message: CrossTabMessage) => void;
  onMessage: (handler: (message: CrossTabMessage) => void) => () => void;
  logger: AuthLogger | undefined;
}): CrossTab["withRefreshLock"] {
  const { clock, lockTimeoutMs, post, onMessage, logger } = options;
  const me = Math.random().toString(36).slice(2) + clock.now().toString(36);
  // Other tabs' claims: id -> claim time (for ordering) and when we stop waiting for it.
  const claims = new Map<string, { at: number; expiresAt: number }>();
  let wake: (() => void) | undefined;
  onMessage((message) => {
    if (message.type === "refresh-start") {
      claims.set(message.id, { at: message.at, expiresAt: clock.now() + lockTimeoutMs });
    } else if (message.type === "refresh-end") {
      claims.delete(message.id);
    } else {
      return;
    }
    wake?.();
  });
  const local = createLocalMutex();

  /** Waits until no live claim satisfies `blocks`; gives up on claims that outlive the time-out. */
  const waitWhile = async (blocks: (id: string, at: number) => boolean) => {
    for (;;) {
      const now = clock.now();
      let until: number | undefined;
      for (const [id, claim] of claims) {
        if (claim.expiresAt <= now) {
          logger?.warn("another tab's refresh did not finish in time; refreshing anyway", {
            lockTimeoutMs,
          });
          claims.delete(id);
        } else if (blocks(id, claim.at)) {
          until = Math.min(until ?? claim.expiresAt, claim.expiresAt);
        }
      }
      if (until === undefined) return;
      await pause(until - now);
    }
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = clock.setTimeout(done, ms);
      function done() {
        clock.clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  return <T>(operation: () => Promise<T>): Promise<T> =>
    local(async () => {
      await waitWhile(() => true);
      const at = clock.now();
      post({ type: "refresh-start", id: me, at });
      try {
        await pause(CLAIM_WINDOW_MS);
        await waitWhile((id, claimAt) => claimAt < at || (claimAt === at && id < me));
        return await operation();
      } finally {
        post({ type: "refresh-end", id: me });
      }
    });
}

// Long enough for a BroadcastChannel message between tabs of one browser (well under 10 ms),
// short enough not to be noticed on a refresh.
const CLAIM_WINDOW_MS = 50;

/** A promise-chain mutex: operations run one after another, in call order. */
function createLocalMutex(): <T>(operation: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(operation: () => Promise<T>): Promise<T> => {
    const run = tail.then(operation);
    tail = run.catch(() => undefined);
    return run;
  };
}

function parseMessage(data: unknown): CrossTabMessage | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const message = data as Record<string, unknown>;
  switch (message.type) {
    case "token":
      return typeof message.accessToken === "string" &&
        typeof message.user === "object" &&
        message.user !== null &&
        typeof message.expiresAt === "number" &&
        typeof message.ttlMs === "number" &&
        typeof message.obtainedAt === "number"
        ? (message as CrossTabMessage)
        : undefined;
    case "ended":
      return typeof message.reason === "string" &&
        (message.revokedReason === undefined || typeof message.revokedReason === "string")
        ? (message as CrossTabMessage)
        : undefined;
    case "refresh-start":
      return typeof message.id === "string" && typeof message.at === "number"
        ? (message as CrossTabMessage)
        : undefined;
    case "refresh-end":
      return typeof message.id === "string" ? (message as CrossTabMessage) : undefined;
    default:
      return undefined;
  }
}

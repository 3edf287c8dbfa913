import type { Clock } from "../clock.js";

export interface WindowCount {
  count: number;
  /** When the current window ends (ms since epoch). */
  resetAt: number;
}

/** At most `limit` units per fixed window of `windowMs` (the window opens with its first unit). */
export interface Budget {
  key: string;
  limit: number;
  windowMs: number;
}

export type Reservation =
  | { granted: true }
  /** `spent` is the first budget that had nothing left; it refills at `resetAt`. */
  | { granted: false; spent: Budget; resetAt: number };

/**
 * Fixed-window counters keyed by string. The in-memory one serves a single instance; a shared
 * one (Redis) serves several.
 */
export interface RateLimiter {
  /** Counts one more event for `key`; a new window of `windowMs` starts when none is open. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /**
   * Takes one unit from every budget, or from none when any of them is spent, in one atomic
   * step: however many callers race, together they never take more than a budget's `limit`.
   * Take the unit *before* the work it pays for (reserve, then settle).
   */
  reserve(budgets: readonly Budget[]): Promise<Reservation>;
  /**
   * Gives back units taken by `reserve` for work that turned out not to count. A unit taken in a
   * window that has ended since is given back to the current one (login budgets: at most once per
   * right password, which an attacker cannot produce).
   */
  release(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, WindowCount>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly clock: Clock) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  hit(key: string, windowMs: number): Promise<WindowCount> {
    const window = this.openWindow(key, windowMs);
    window.count += 1;
    return Promise.resolve({ ...window });
  }

  // Synchronous from check to increment: nothing else runs on the event loop in between.
  reserve(budgets: readonly Budget[]): Promise<Reservation> {
    const now = this.clock.now();
    for (const budget of budgets) {
      const open = this.windows.get(budget.key);
      if (open !== undefined && open.resetAt > now && open.count >= budget.limit)
        return Promise.resolve({ granted: false, spent: budget, resetAt: open.resetAt });
    }
    for (const budget of budgets) this.openWindow(budget.key, budget.windowMs).count += 1;
    return Promise.resolve({ granted: true });
  }

  release(keys: readonly string[]): Promise<void> {
    const now = this.clock.now();
    for (const key of keys) {
      const open = this.windows.get(key);
      if (open !== undefined && open.resetAt > now && open.count > 0) open.count -= 1;
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }

  private openWindow(key: string, windowMs: number): WindowCount {
    const now = this.clock.now();
    const open = this.windows.get(key);
    if (open !== undefined && open.resetAt > now) return open;
    const fresh = { count: 0, resetAt: now + windowMs };
    this.windows.set(key, fresh);
    return fresh;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

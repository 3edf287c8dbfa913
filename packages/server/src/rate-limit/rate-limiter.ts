import type { Clock } from "../clock.js";

export interface WindowCount {
  count: number;
  /** When the current window ends (ms since epoch). */
  resetAt: number;
}

/**
 * Fixed-window counters keyed by string. The in-memory one serves a single instance; a shared
 * one (Redis) serves several.
 */
export interface RateLimiter {
  /** Counts one more event for `key`; a new window of `windowMs` starts when none is open. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /** The open window's count, without counting. */
  peek(key: string): Promise<WindowCount | null>;
  reset(key: string): Promise<void>;
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
    const now = this.clock.now();
    const open = this.windows.get(key);
    const window =
      open !== undefined && open.resetAt > now ? open : { count: 0, resetAt: now + windowMs };
    window.count += 1;
    this.windows.set(key, window);
    return Promise.resolve({ ...window });
  }

  peek(key: string): Promise<WindowCount | null> {
    const open = this.windows.get(key);
    return Promise.resolve(
      open !== undefined && open.resetAt > this.clock.now() ? { ...open } : null,
    );
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

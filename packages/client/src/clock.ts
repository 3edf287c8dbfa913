/**
 * The client's only source of time. Scheduling, back-off, time-outs and skew estimation all go
 * through it, so tests replace it with a manual clock and run hours of token lifetimes in
 * milliseconds, without sleeping.
 *
 * @example
 * ```ts
 * const client = createAuthClient({ baseUrl: "/api/auth", clock: systemClock });
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, on this machine's clock (which may disagree with the server's). */
  now(): number;
  /** Runs `callback` once after about `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Opaque timer handle returned by {@link Clock.setTimeout}.
 *
 * @example
 * ```ts
 * const handle: TimerHandle = systemClock.setTimeout(() => {}, 1000);
 * systemClock.clearTimeout(handle);
 * ```
 */
export type TimerHandle = unknown;

// Browsers clamp longer delays to 1 ms (and Node to 1 ms with a warning): a 25-day timer would
// fire at once. Clamp to the maximum instead; the scheduler re-checks the clock when it fires.
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * The real clock: `Date.now()` and the global timers.
 *
 * @example
 * ```ts
 * const started = systemClock.now();
 * systemClock.setTimeout(() => console.log(systemClock.now() - started), 100);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) =>
    globalThis.setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMER_DELAY_MS)),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Resolves after `ms` milliseconds of `clock` time; rejects with the signal's reason if `signal`
 * aborts first.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason as Error);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

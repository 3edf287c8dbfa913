import { sleep, type Clock } from "./clock.js";
import { HttpError } from "./errors.js";

/**
 * How often and how patiently a failing operation is retried.
 *
 * @example
 * ```ts
 * const patient: BackoffPolicy = { baseMs: 500, maxMs: 8_000, maxAttempts: 4, maxRetryAfterMs: 30_000 };
 * ```
 */
export interface BackoffPolicy {
  /** Delay cap for the first retry; doubles per attempt. */
  baseMs: number;
  /** No single delay exceeds this (unless the server's `Retry-After` asks for more). */
  maxMs: number;
  /** Total attempts, the first one included. */
  maxAttempts: number;
  /**
   * A `Retry-After` longer than this stops the retries instead of waiting in-line: the caller
   * gets the error (with `retryAfterMs`) and decides, e.g. a cool-down.
   */
  maxRetryAfterMs: number;
}

/**
 * The policy the client uses for auth requests: 5 attempts, waiting about 0.2, 0.4, 0.75 and
 * 0.75 s between them. Short on purpose: when a refresh's answer is lost, the server still
 * accepts the same refresh token for its grace window (10 s by default), so the retries must
 * land inside it. Longer outages are handled by pauses between such cycles, not longer waits.
 *
 * @example
 * ```ts
 * createAuthClient({ baseUrl: "/api/auth", retry: { ...DEFAULT_BACKOFF, maxAttempts: 6 } });
 * ```
 */
export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  baseMs: 250,
  maxMs: 1_000,
  maxAttempts: 5,
  maxRetryAfterMs: 30_000,
});

/**
 * Delay before retry number `retry` (0 for the first retry): "equal jitter", half of the capped
 * exponential delay plus a random half. Pure jitter can pick ~0 ms, which turns a thousand clients
 * that failed together into a thundering herd; no jitter keeps them in lock-step.
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry));
  return cap / 2 + (random() * cap) / 2;
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into
 * milliseconds from `nowMs`. Unparseable or negative values give `undefined`.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names its weekday; this keeps Date.parse's leniency ("-5") out.
  if (!/^[a-z]{3},/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Options of {@link retryWithBackoff}. */
export interface RetryOptions {
  clock: Clock;
  policy?: BackoffPolicy;
  random?: () => number;
  /** Only errors for which this returns true are retried; others are thrown at once. */
  isRetryable: (error: unknown) => boolean;
  /**
   * Keeps retrying past `maxAttempts` while this returns true: a time-bounded extension for
   * when giving up now is known to be worse than trying again (a refresh inside the grace window).
   */
  continueWhile?: () => boolean;
  /** Called before each wait, e.g. for logging. */
  onRetry?: (info: { error: unknown; retry: number; delayMs: number }) => void;
  /** Aborts the waiting between attempts. */
  signal?: AbortSignal;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or runs out of attempts
 * (then the last error is thrown). Waits use the injected clock and honour a server's
 * `Retry-After` ({@link HttpError.retryAfterMs}) as a lower bound.
 */
export async function retryWithBackoff<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!options.isRetryable(error)) throw error;
      if (attempt + 1 >= policy.maxAttempts && !options.continueWhile?.()) throw error;
      const retryAfter = error instanceof HttpError ? error.retryAfterMs : undefined;
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) throw error;
      const delayMs = Math.max(backoffDelay(attempt, policy, random), retryAfter ?? 0);
      options.onRetry?.({ error, retry: attempt + 1, delayMs });
      await sleep(options.clock, delayMs, options.signal);
    }
  }
}

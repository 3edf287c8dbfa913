/** How often and how far apart a failed delivery is tried again. */
export interface RetryPolicy {
  /** Attempts in all, the first included; then the message is given up (`failed`). */
  maxAttempts: number;
  /** The wait before the second attempt, doubled for each one after. */
  baseDelayMs: number;
  /** No wait is longer. */
  maxDelayMs: number;
}

/**
 * 10 attempts over about three hours (30 s, 1, 2, 4, … min, at most an hour apart, each between
 * half and all of that): an SMTP outage of a few hours delays mail instead of losing it.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
};

/**
 * The wait after failed attempt number `attempt` (1 = the first): exponential, capped, with
 * "equal jitter" (half fixed, half random), so that instances retrying after one outage spread
 * out instead of all hitting the returning server at once, while no wait drops below half.
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

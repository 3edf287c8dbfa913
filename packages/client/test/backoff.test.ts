import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  retryWithBackoff,
} from "../src/backoff.js";
import { HttpError, isTransientError, NetworkError } from "../src/errors.js";
import { ManualClock } from "./support/manual-clock.js";

describe("backoffDelay", () => {
  it("doubles per retry, stays within [cap/2, cap], and never exceeds maxMs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (retry, r) => {
          const cap = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.baseMs * 2 ** retry);
          const delay = backoffDelay(retry, DEFAULT_BACKOFF, () => r);
          expect(delay).toBeGreaterThanOrEqual(cap / 2);
          expect(delay).toBeLessThanOrEqual(cap);
        },
      ),
    );
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(125);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 0.999)).toBeCloseTo(999.5);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 0.999)).toBeLessThanOrEqual(1000);
  });

  it("spreads clients that failed together (jitter)", () => {
    const delays = new Set(
      Array.from({ length: 50 }, () => Math.round(backoffDelay(2, DEFAULT_BACKOFF, Math.random))),
    );
    expect(delays.size).toBeGreaterThan(20);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("Wed, 21 Oct 2015 07:27:00 GMT");
  it("reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3)", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:20:00 GMT", now)).toBe(0);
  });
  it("ignores garbage", () => {
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("retryWithBackoff", () => {
  const policy = { baseMs: 1000, maxMs: 8000, maxAttempts: 4, maxRetryAfterMs: 30_000 };

  it("retries transient failures on the injected clock, then succeeds", async () => {
    const clock = new ManualClock();
    const started = clock.now();
    const attemptsAt: number[] = [];
    const done = retryWithBackoff(
      () => {
        attemptsAt.push(clock.now() - started);
        if (attemptsAt.length < 3) return Promise.reject(new NetworkError("NETWORK_ERROR", "down"));
        return Promise.resolve("ok");
      },
      { clock, policy, random: () => 0, isRetryable: isTransientError },
    );
    await clock.advance(10_000);
    await expect(done).resolves.toBe("ok");
    // Equal jitter with random 0: half of 1 s, then half of 2 s.
    expect(attemptsAt).toEqual([0, 500, 1500]);
  });

  it("throws a non-retryable error at once", async () => {
    const clock = new ManualClock();
    let attempts = 0;
    const failure = new HttpError(401, "REFRESH_REUSED", "reused");
    await expect(
      retryWithBackoff(
        () => {
          attempts++;
          return Promise.reject(failure);
        },
        { clock, policy, isRetryable: isTransientError },
      ),
    ).rejects.toBe(failure);
    expect(attempts).toBe(1);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const clock = new ManualClock();
    let attempts = 0;
    const done = retryWithBackoff(
      () => {
        attempts++;
        return Promise.reject(new HttpError(503, "UNAVAILABLE", `down ${attempts}`));
      },
      { clock, policy, isRetryable: isTransientError },
    );
    const outcome = expect(done).rejects.toMatchObject({ code: "UNAVAILABLE", message: "down 4" });
    await clock.advance(60_000);
    await outcome;
    expect(attempts).toBe(4);
  });

  it("waits at least Retry-After", async () => {
    const clock = new ManualClock();
    const attemptsAt: number[] = [];
    const started = clock.now();
    const done = retryWithBackoff(
      () => {
        attemptsAt.push(clock.now() - started);
        if (attemptsAt.length === 1)
          return Promise.reject(new HttpError(429, "RATE_LIMITED", "slow down", 7_000));
        return Promise.resolve("ok");
      },
      { clock, policy, random: () => 0, isRetryable: isTransientError },
    );
    await clock.advance(6_999);
    expect(attemptsAt).toEqual([0]);
    await clock.advance(1);
    await expect(done).resolves.toBe("ok");
    expect(attemptsAt).toEqual([0, 7_000]);
  });

  it("does not wait in-line for a Retry-After beyond maxRetryAfterMs", async () => {
    const clock = new ManualClock();
    const failure = new HttpError(503, "UNAVAILABLE", "maintenance", 15 * 60_000);
    await expect(
      retryWithBackoff(() => Promise.reject(failure), {
        clock,
        policy,
        isRetryable: isTransientError,
      }),
    ).rejects.toBe(failure);
  });
});

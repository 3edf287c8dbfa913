import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryRateLimiter, type RateLimiter } from "../../src/rate-limit/rate-limiter.js";
import { RedisRateLimiter } from "../../src/redis/redis-rate-limiter.js";
import { ManualClock } from "../support/manual-clock.js";
import { probeRedis, REDIS_URL, serviceAvailable } from "../support/services.js";

// reserve/release, the primitive under every guess budget (issue 12 item 3): one atomic step
// that takes a unit from every budget or from none, on one instance (memory) and many (Redis).

const redisAvailable = await serviceAvailable("Redis", probeRedis);
const redis = redisAvailable ? new Redis(REDIS_URL) : undefined;
afterAll(() => redis?.quit());

const limiters: [string, () => RateLimiter][] = [
  ["memory", () => new MemoryRateLimiter(new ManualClock())],
  ...(redis
    ? [
        [
          "Redis",
          () => new RedisRateLimiter(redis, new ManualClock(), `baton-test:${randomUUID()}:`),
        ] as [string, () => RateLimiter],
      ]
    : []),
];

describe.each(limiters)("%s rate limiter: reserve, then settle", (_name, make) => {
  const budget = (key: string, limit: number) => ({ key, limit, windowMs: 60_000 });

  it("200 concurrent reservations of a budget of 5: exactly 5 granted", async () => {
    const limiter = make();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => limiter.reserve([budget("burst", 5)])),
    );
    expect(results.filter((r) => r.granted).length).toBe(5);
    const refused = results.find((r) => !r.granted);
    expect(refused).toMatchObject({ granted: false, spent: { key: "burst" } });
  });

  it("all budgets or none: a spent budget takes nothing from the others", async () => {
    const limiter = make();
    expect((await limiter.reserve([budget("small", 1)])).granted).toBe(true);
    for (let i = 0; i < 3; i++) {
      const refused = await limiter.reserve([budget("large", 3), budget("small", 1)]);
      expect(refused).toMatchObject({ granted: false, spent: { key: "small" } });
    }
    for (let i = 0; i < 3; i++)
      expect((await limiter.reserve([budget("large", 3)])).granted).toBe(true);
    expect((await limiter.reserve([budget("large", 3)])).granted).toBe(false);
  });

  it("a released unit can be taken again; releasing more than was taken never goes below zero", async () => {
    const limiter = make();
    for (let i = 0; i < 2; i++)
      expect((await limiter.reserve([budget("settle", 2)])).granted).toBe(true);
    expect((await limiter.reserve([budget("settle", 2)])).granted).toBe(false);
    await limiter.release(["settle"]);
    expect((await limiter.reserve([budget("settle", 2)])).granted).toBe(true);
    await limiter.release(["settle", "settle", "settle", "never-taken"]);
    for (let i = 0; i < 2; i++)
      expect((await limiter.reserve([budget("settle", 2)])).granted).toBe(true);
    expect((await limiter.reserve([budget("settle", 2)])).granted).toBe(false);
  });

  it("a refusal says when the spent budget refills", async () => {
    const limiter = make();
    await limiter.reserve([budget("refill", 1)]);
    const refused = await limiter.reserve([budget("refill", 1)]);
    if (refused.granted) throw new Error("granted");
    const left = refused.resetAt - new ManualClock().now();
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(60_000);
  });
});

describe("memory rate limiter windows", () => {
  it("a budget refills when its window ends", async () => {
    const clock = new ManualClock();
    const limiter = new MemoryRateLimiter(clock);
    const budget = { key: "window", limit: 1, windowMs: 60_000 };
    expect((await limiter.reserve([budget])).granted).toBe(true);
    expect((await limiter.reserve([budget])).granted).toBe(false);
    clock.advance(60_000);
    expect((await limiter.reserve([budget])).granted).toBe(true);
    await limiter.close();
  });
});

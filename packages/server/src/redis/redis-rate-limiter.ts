import type { Redis } from "ioredis";
import { StoreUnavailableError } from "../errors.js";
import type { Clock } from "../clock.js";
import type { Budget, RateLimiter, Reservation, WindowCount } from "../rate-limit/rate-limiter.js";

// INCR and set the window's expiry in one atomic step; return the count and the time left.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

// All budgets or none: a script runs atomically, so no other client's check or increment can
// come between this one's. ARGV holds limit and window (ms) for each key in turn. Returns
// { 1 } when granted, or { 0, index of the spent budget, ms until it refills }.
const RESERVE = `
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then
    local left = redis.call('PTTL', key)
    if left < 0 then
      redis.call('PEXPIRE', key, ARGV[2 * i])
      left = tonumber(ARGV[2 * i])
    end
    return { 0, i, left }
  end
end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return { 1 }`;

// DECR keeps the key's expiry; a window that has already ended is left alone (never below 0,
// never a counter without expiry).
const RELEASE = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 1`;

/**
 * Fixed-window counters in Redis, shared by every Baton instance; each operation is one round
 * trip. While Redis is unreachable the limiter throws StoreUnavailableError: the request answers
 * 503, it does not skip the limit.
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = "baton:rl:",
  ) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttl] = (await this.call(() =>
      this.redis.eval(HIT, 1, this.prefix + key, windowMs),
    )) as [number, number];
    return { count, resetAt: this.clock.now() + Math.max(ttl, 0) };
  }

  async reserve(budgets: readonly Budget[]): Promise<Reservation> {
    const keys = budgets.map((budget) => this.prefix + budget.key);
    const limits = budgets.flatMap((budget) => [budget.limit, budget.windowMs]);
    const [granted, index = 0, left = 0] = (await this.call(() =>
      this.redis.eval(RESERVE, keys.length, ...keys, ...limits),
    )) as [number, number?, number?];
    if (granted === 1) return { granted: true };
    return {
      granted: false,
      spent: budgets[index - 1] ?? budgets[0]!,
      resetAt: this.clock.now() + Math.max(left, 0),
    };
  }

  async release(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const prefixed = keys.map((key) => this.prefix + key);
    await this.call(() => this.redis.eval(RELEASE, prefixed.length, ...prefixed));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async call<T>(command: () => Promise<T>): Promise<NonNullable<T>> {
    try {
      const result = await command();
      if (result === null || result === undefined) throw new Error("Redis transaction aborted");
      return result;
    } catch (error) {
      throw new StoreUnavailableError("Redis is not available", { cause: error });
    }
  }
}

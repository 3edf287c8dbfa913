import type { Redis } from "ioredis";
import { StoreUnavailableError } from "../errors.js";
import type { Clock } from "../clock.js";
import type { RateLimiter, WindowCount } from "../rate-limit/rate-limiter.js";

// INCR and set the window's expiry in one atomic step; return the count and the time left.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`;

/**
 * Fixed-window counters in Redis, shared by every Baton instance. While Redis is unreachable the
 * limiter throws StoreUnavailableError: the request answers 503, it does not skip the limit.
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

  async peek(key: string): Promise<WindowCount | null> {
    const [count, ttl] = await this.call(() =>
      this.redis
        .multi()
        .get(this.prefix + key)
        .pttl(this.prefix + key)
        .exec(),
    );
    const value = count?.[1] as string | null;
    const left = ttl?.[1] as number;
    if (value === null || left <= 0) return null;
    return { count: Number(value), resetAt: this.clock.now() + left };
  }

  async reset(key: string): Promise<void> {
    await this.call(() => this.redis.del(this.prefix + key));
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

import { Redis } from "ioredis";

/**
 * A Redis connection that fails fast while Redis is down (no offline queue: a request answers
 * 503 at once instead of hanging) and reconnects by itself when it comes back.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  });
  // Connection errors surface on commands (as 503s); the event itself must not crash the process.
  redis.on("error", () => undefined);
  return redis;
}

/** Connects, waiting at most `timeoutMs`; a Redis that is down at startup is not fatal. */
export async function tryConnect(redis: Redis, timeoutMs = 3_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("Redis connect timeout")), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

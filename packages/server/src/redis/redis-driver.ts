// Everything Baton needs of Redis, in one module that createBaton imports only when REDIS_URL
// is set (ioredis is an optional peer dependency).
export { redisBus } from "./redis-bus.js";
export { connectRedis, tryConnect } from "./redis-connection.js";
export { RedisRateLimiter } from "./redis-rate-limiter.js";

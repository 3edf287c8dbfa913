/**
 * @baton/server — short-lived JWT access tokens, rotating refresh tokens with reuse detection,
 * multi-device sessions and roles, over a framework-free core.
 *
 * @example
 * import { createBaton } from "@baton/server";
 * const baton = await createBaton();
 * await fastifyApp.register(baton.fastify);
 */
export { createBaton } from "./baton.js";
export { createLogger } from "./logging.js";
export type { Baton, StartupReport } from "./baton.js";
export { startServer } from "./server.js";
export type { ServerOptions, RunningServer } from "./server.js";
export type { BatonOptions, BatonConfig, Duration, SameSite } from "./config/options.js";
export { ConfigError, resolveConfig } from "./config/resolve.js";
export { optionsFromEnv } from "./config/env.js";
export { parseDuration } from "./config/duration.js";
export { AuthError, StoreUnavailableError, isAuthError } from "./errors.js";
export type { AuthInfo } from "./core.js";
export type { Clock } from "./clock.js";
export type { Guard } from "./require-auth.js";
export { REAUTH_EVENT, SESSION_ENDED_EVENT } from "@baton/protocol";
export type { SocketAuth, SocketAuthData, SocketAuthOptions } from "./socket/socket-auth.js";
export type { NodeMiddleware } from "./express/express-middleware.js";
export type { AuditEvent, AuditEventType } from "./audit/audit-log.js";
export type * from "./store/store.js";
export { openStore } from "./store/open-store.js";
export { ERROR_STATUS, ERROR_CODES, SESSION_ENDING_CODES } from "@baton/protocol";
export type {
  ErrorCode,
  PublicUser,
  TokenResponse,
  SessionInfo,
  AccessTokenClaims,
} from "@baton/protocol";
// Type augmentations: `request.auth` on Fastify and Express requests.
export type {} from "./fastify/fastify-plugin.js";
export type {} from "./express/express-middleware.js";
export { serverEnv } from "./config/env.js";
export { developmentBanner, startupRows } from "./cli/banner.js";

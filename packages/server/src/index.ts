/**
 * @baton/server — short-lived JWT access tokens, rotating refresh tokens with reuse detection,
 * multi-device sessions and roles, over a framework-free core.
 *
 * Adapters have their own entry points: `@baton/server/fastify`, `@baton/server/express`,
 * `@baton/server/socket` (the only one that needs socket.io); `@baton/server/testing` holds the
 * store conformance suite and `@baton/server/cli` the parts of `baton serve`.
 *
 * @example
 * import { createBaton } from "@baton/server";
 * import { batonFastify } from "@baton/server/fastify";
 * const baton = await createBaton();
 * await fastifyApp.register(batonFastify(baton));
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
export type { AuditEvent, AuditEventType } from "./audit/audit-log.js";
export type { DevelopmentInbox, CapturedMail } from "./mail/development-inbox.js";
export type { DeliveryPass } from "./mail/delivery-worker.js";
export type { OutgoingMail } from "./mail/mail-message.js";
export type { ResolvedMailOptions } from "./config/mail-options.js";
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

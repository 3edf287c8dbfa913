/**
 * Baton client: a token manager for browsers and Node. Access token in memory, refresh token in
 * an HttpOnly cookie (or a token store outside browsers), single-flight and proactive refresh,
 * cross-tab coordination, and errors that tell a network blip from a real logout.
 *
 * @module
 */
export { createAuthClient } from "./client.js";
export type {
  AuthClient,
  AuthClientOptions,
  CrossTabOptions,
  TokenRefreshedEvent,
} from "./client-types.js";
export type { AuthState, AuthStatus } from "./auth-state.js";
export type {
  ChangeEmailInput,
  ChangePasswordInput,
  LoginInput,
  RegisterInput,
  ResetSecret,
  VerifyEmailInput,
} from "./auth-api.js";
export {
  BatonClientError,
  HttpError,
  NetworkError,
  SessionEndedError,
  isSessionEndingCode,
  isTransientError,
} from "./errors.js";
export type { SessionEndDetail, SessionEndReason } from "./errors.js";
export { DEFAULT_BACKOFF } from "./backoff.js";
export type { BackoffPolicy } from "./backoff.js";
export { systemClock } from "./clock.js";
export type { Clock, TimerHandle } from "./clock.js";
export { createMemoryTokenStore } from "./token-store.js";
export type { TokenStore } from "./token-store.js";
export { consoleLogger } from "./logger.js";
export type { AuthLogger } from "./logger.js";
export type { AxiosLikeConfig, AxiosLikeHandler, AxiosLikeInstance } from "./axios.js";
export type { FetchLike } from "./transport.js";
export type { BroadcastChannelLike, LockManagerLike } from "./cross-tab.js";
export type { WakeEnvironment, EventTargetLike } from "./wake-events.js";
export {
  REAUTH_EVENT,
  SESSION_ENDED_EVENT,
  SESSION_HINT_COOKIE,
  parseUserAgent,
} from "@baton/protocol";
export type {
  PublicUser,
  SessionInfo,
  ErrorCode,
  ReauthAck,
  SessionEndedNotice,
  DeviceKind,
  ParsedUserAgent,
  NotMeResponse,
} from "@baton/protocol";

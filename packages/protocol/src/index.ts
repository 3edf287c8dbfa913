export { ERROR_STATUS, ERROR_CODES, SESSION_ENDING_CODES, isErrorCode } from "./error-codes.js";
export type { ErrorCode } from "./error-codes.js";
export type {
  PublicUser,
  TokenResponse,
  SessionInfo,
  ErrorBody,
  RefreshTransport,
  AccessTokenClaims,
  NotMeResponse,
} from "./wire.js";
export { REAUTH_EVENT, SESSION_ENDED_EVENT } from "./socket-events.js";
export { SESSION_HINT_COOKIE } from "./session-hint.js";
export type { ReauthAck, SessionEndedNotice } from "./socket-events.js";
export { parseUserAgent } from "./user-agent.js";
export type { DeviceKind, ParsedUserAgent } from "./user-agent.js";

import type { ErrorCode } from "./error-codes.js";

/**
 * Socket.io events of Baton's socket authentication (server: `batonSocketAuth(baton)` from `@baton/server/socket`).
 * Client → server, after every refresh: `socket.emitWithAck(REAUTH_EVENT, accessToken)`.
 */
export const REAUTH_EVENT = "baton:reauth";
/** Server → client, just before the server disconnects the socket. */
export const SESSION_ENDED_EVENT = "baton:session-ended";

/** Acknowledgement of a re-authentication. */
export type ReauthAck = { ok: true; expiresAt: number } | { ok: false; code: ErrorCode };

/** Why the server ended a socket. */
export interface SessionEndedNotice {
  code: ErrorCode;
  message: string;
}

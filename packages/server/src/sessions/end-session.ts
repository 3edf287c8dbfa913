import type { SessionInfo } from "@baton/protocol";
import { actingSession, userActor, type Actor, type UserActor } from "../actor.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { AuthInfo, Core } from "../core.js";
import { AuthError } from "../errors.js";
import { revoke } from "../revocation/revoke.js";
import { hashRefreshToken, isWellFormedRefreshToken } from "../tokens/refresh-token.js";
import { toSessionInfo } from "./session-view.js";

/**
 * Ends the session a refresh token (or, failing that, an access token) belongs to; whoever holds
 * either acts as that session's user. Idempotent.
 */
export async function logout(
  core: Core,
  credentials: { refreshToken?: string | undefined; auth?: AuthInfo | undefined },
  meta: RequestMeta,
): Promise<void> {
  let session: { userId: string; sessionId: string } | undefined = credentials.auth;
  if (
    credentials.refreshToken !== undefined &&
    isWellFormedRefreshToken(credentials.refreshToken)
  ) {
    const match = await core.store.findByRefreshToken(hashRefreshToken(credentials.refreshToken));
    if (match !== null) session = { userId: match.user.id, sessionId: match.session.id };
  }
  if (session === undefined) return;
  const { userId, sessionId } = session;
  await revoke(core, meta, {
    reason: "logout",
    by: userActor(session),
    change: (stamp) => core.store.revokeSession(sessionId, stamp),
    audit: (revoked) => (revoked ? { type: "session.logout", userId, sessionId } : null),
  });
}

/**
 * Ends every session of the user: a user's own (this one included), or anyone's for the command
 * line and admins. Returns the ids of the sessions it ended.
 */
export async function logoutAll(
  core: Core,
  by: Actor,
  userId: string,
  meta: RequestMeta,
): Promise<string[]> {
  if (by.kind === "user" && by.userId !== userId)
    throw new AuthError("FORBIDDEN", "Users end only their own sessions");
  return revoke(core, meta, {
    reason: "logout-all",
    by,
    change: (stamp) => core.store.revokeUserSessions(userId, stamp),
    audit: (ids) => ({
      type: "sessions.revoked_all",
      userId,
      sessionId: actingSession(by),
      detail: { count: ids.length },
    }),
  });
}

/** Ends one of the user's own sessions; someone else's session id is NOT_FOUND, not FORBIDDEN. */
export async function revokeOwnSession(
  core: Core,
  by: UserActor,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  const revoked = await revoke(core, meta, {
    reason: "revoked-by-user",
    by,
    change: (stamp) => core.store.revokeSession(sessionId, { ...stamp, userId: by.userId }),
    audit: (ended) => (ended ? { type: "session.revoked", userId: by.userId, sessionId } : null),
  });
  if (!revoked) throw new AuthError("NOT_FOUND", "No such session");
}

/** RFC 7009 revocation: the answer is the same whether or not the token was known. */
export async function revokeRefreshToken(
  core: Core,
  refreshToken: string,
  meta: RequestMeta,
): Promise<void> {
  if (!isWellFormedRefreshToken(refreshToken)) return;
  const match = await core.store.findByRefreshToken(hashRefreshToken(refreshToken));
  if (match === null) return;
  const userId = match.user.id;
  const sessionId = match.session.id;
  await revoke(core, meta, {
    reason: "token-revoked",
    by: userActor({ userId, sessionId }),
    change: (stamp) => core.store.revokeSession(sessionId, stamp),
    audit: (revoked) => (revoked ? { type: "token.revoked", userId, sessionId } : null),
  });
}

/** The user's live sessions, most recently used first; `current` marks the one they act from. */
export async function listSessions(core: Core, by: UserActor): Promise<SessionInfo[]> {
  const sessions = await core.store.listActiveSessions(by.userId, core.clock.now());
  return sessions.map((session) => toSessionInfo(session, by.sessionId));
}

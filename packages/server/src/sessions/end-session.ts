import type { RequestMeta } from "../audit/audit-log.js";
import { revocationStamp, type AuthInfo, type Core } from "../core.js";
import { AuthError } from "../errors.js";
import { hashRefreshToken, isWellFormedRefreshToken } from "../tokens/refresh-token.js";
import type { SessionInfo } from "@baton/protocol";
import { toSessionInfo } from "./session-view.js";

/** Ends the session a refresh token (or, failing that, an access token) belongs to. Idempotent. */
export async function logout(
  core: Core,
  credentials: { refreshToken?: string | undefined; auth?: AuthInfo | undefined },
  meta: RequestMeta,
): Promise<void> {
  let sessionId = credentials.auth?.sessionId;
  let userId = credentials.auth?.userId;
  if (
    credentials.refreshToken !== undefined &&
    isWellFormedRefreshToken(credentials.refreshToken)
  ) {
    const match = await core.store.findByRefreshToken(hashRefreshToken(credentials.refreshToken));
    if (match !== null) {
      sessionId = match.session.id;
      userId = match.user.id;
    }
  }
  if (sessionId === undefined) return;
  if (await core.store.revokeSession(sessionId, revocationStamp(core, "logout"))) {
    await core.revocations.recorded();
    await core.audit.record("session.logout", meta, { userId, sessionId });
  }
}

/** Ends every session of the user, this one included. */
export async function logoutAll(core: Core, auth: AuthInfo, meta: RequestMeta): Promise<void> {
  const ids = await core.store.revokeUserSessions(auth.userId, revocationStamp(core, "logout-all"));
  await core.revocations.recorded();
  await core.audit.record("sessions.revoked_all", meta, {
    userId: auth.userId,
    sessionId: auth.sessionId,
    detail: { count: ids.length },
  });
}

/** Ends one of the caller's own sessions; someone else's session id is NOT_FOUND, not FORBIDDEN. */
export async function revokeOwnSession(
  core: Core,
  auth: AuthInfo,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  const revoked = await core.store.revokeSession(sessionId, {
    ...revocationStamp(core, "revoked-by-user"),
    userId: auth.userId,
  });
  if (!revoked) throw new AuthError("NOT_FOUND", "No such session");
  await core.revocations.recorded();
  await core.audit.record("session.revoked", meta, {
    userId: auth.userId,
    sessionId,
    detail: { by: auth.sessionId },
  });
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
  if (await core.store.revokeSession(match.session.id, revocationStamp(core, "token-revoked"))) {
    await core.revocations.recorded();
    await core.audit.record("token.revoked", meta, {
      userId: match.user.id,
      sessionId: match.session.id,
    });
  }
}

/** The caller's live sessions, most recently used first. */
export async function listSessions(core: Core, auth: AuthInfo): Promise<SessionInfo[]> {
  const sessions = await core.store.listActiveSessions(auth.userId, core.clock.now());
  return sessions.map((session) => toSessionInfo(session, auth.sessionId));
}

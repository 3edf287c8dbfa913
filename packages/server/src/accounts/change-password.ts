import { securityMail } from "../sessions/security-mail.js";
import type { UserActor } from "../actor.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { verifyCurrentPassword } from "./current-password.js";
import { assertAcceptablePassword } from "../passwords/password-policy.js";
import { revoke } from "../revocation/revoke.js";
import { passwordChangedMail } from "./password-mail.js";
import { slidingExpiry, tokensFor, type IssuedTokens } from "../sessions/issue-tokens.js";
import { deriveRefreshToken, hashRefreshToken } from "../tokens/refresh-token.js";

/**
 * Changes the password after checking the current one, ends every *other* session (whoever knew
 * the old password is out) and gives this session a fresh token pair.
 *
 * The change, the new credential version and the revocations are one store transaction, which
 * applies only if the password verified here is still the current one: of two concurrent changes
 * from the same old password the second is INVALID_CREDENTIALS, and logins that verified the old
 * password while this ran get no session (store.ts createSession).
 */
export async function changePassword(
  core: Core,
  by: UserActor,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<IssuedTokens> {
  assertAcceptablePassword(input.newPassword, "newPassword");
  const user = await core.store.findUserById(by.userId);
  const session = await core.store.findSession(by.sessionId);
  if (user === null || session === null || session.revokedAt !== null) {
    throw new AuthError("SESSION_REVOKED", "Session has been revoked");
  }
  await verifyCurrentPassword(
    core,
    { user, session },
    input.currentPassword,
    meta,
    "password-change",
  );

  const passwordHash = await core.passwords.hash(input.newPassword);
  // Mailed only when Baton sends mail; a signed-in change works without it.
  const changedMail = await securityMail(core, user, passwordChangedMail, {
    name: user.name,
    how: "changed",
    at: core.clock.now(),
  });
  const outcome = await revoke(core, meta, {
    reason: "password-changed",
    by,
    change: (stamp) =>
      core.store.changePassword({
        ...stamp,
        userId: user.id,
        passwordHash,
        fromCredentialVersion: user.credentialVersion,
        keepSessionId: session.id,
        outbox: changedMail,
      }),
    audit: (change) =>
      change.changed
        ? {
            type: "password.changed",
            userId: user.id,
            sessionId: session.id,
            detail: { sessionsRevoked: change.revokedSessionIds.length },
          }
        : null,
  });
  if (!outcome.changed) {
    if (outcome.reason === "session-ended")
      throw new AuthError("SESSION_REVOKED", "Session has been revoked");
    throw new AuthError("INVALID_CREDENTIALS", "Current password is incorrect");
  }
  if (core.mail !== null) void core.mail.worker.deliverDue();

  // Rotate this session's refresh token too: the one issued before the change is retired.
  const now = core.clock.now();
  const next = session.generation + 1;
  const expiresAt = slidingExpiry(core, now, session.maxExpiresAt);
  const rotated = await core.store.rotateRefreshToken({
    sessionId: session.id,
    fromGeneration: session.generation,
    tokenHash: hashRefreshToken(
      deriveRefreshToken(core.refreshTokenKey, session.id, session.tokenSalt, next),
    ),
    now,
    expiresAt,
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
  const current = rotated
    ? { ...session, generation: next, expiresAt }
    : await core.store.findSession(session.id);
  // Revoked right after the change committed (a logout racing it): the password is changed, but
  // this session has ended like any other.
  if (current === null || current.revokedAt !== null)
    throw new AuthError("SESSION_REVOKED", "Session has been revoked");
  return tokensFor(
    core,
    { ...user, passwordHash, credentialVersion: user.credentialVersion + 1 },
    current,
  );
}

import { randomBytes } from "node:crypto";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { NewOutboxMessage, NewSession, UserRecord } from "../store/store.js";
import { deriveRefreshToken, hashRefreshToken, newTokenSalt } from "../tokens/refresh-token.js";

/** What a successful register, login, refresh or password change hands back. */
export interface IssuedTokens {
  user: UserRecord;
  sessionId: string;
  accessToken: string;
  /** Seconds. */
  expiresIn: number;
  refreshToken: string;
  /** When the refresh token (the session) expires unless used: the cookie's lifetime. */
  refreshExpiresAt: number;
}

/**
 * Opens a new session (one per device) with its first refresh token, for the credential version
 * `user` was read with: the password the caller verified against `user.passwordHash`. If that
 * password has been changed (or the user deleted) since, no session is created and the answer is
 * INVALID_CREDENTIALS, as for any password that is not the account's: a login that verified the
 * old password must not outlive the change that ended every other session.
 */
export async function startSession(
  core: Core,
  user: UserRecord,
  meta: RequestMeta,
  /** Written with the session, only if it is created (the new-device alert). */
  outbox: NewOutboxMessage[] = [],
): Promise<IssuedTokens> {
  const { session, refreshTokenHash } = newSession(core, user.id, meta);
  const created = await core.store.createSession(
    session,
    refreshTokenHash,
    user.credentialVersion,
    outbox,
  );
  if (!created) {
    await core.audit.record("login.failed", meta, {
      userId: user.id,
      detail: { reason: "credential-no-longer-current" },
    });
    throw new AuthError("INVALID_CREDENTIALS", "Email or password is incorrect");
  }
  return tokensFor(core, user, { ...session, generation: 0 });
}

/**
 * A session for this device, not yet stored, and the hash of its first refresh token: what
 * `store.createSession` (or a change that signs in, such as a password reset) stores.
 */
export function newSession(
  core: Core,
  userId: string,
  meta: RequestMeta,
): { session: NewSession; refreshTokenHash: string } {
  const now = core.clock.now();
  const maxExpiresAt =
    core.config.sessionMaxLifetimeMs === 0
      ? Number.MAX_SAFE_INTEGER
      : now + core.config.sessionMaxLifetimeMs;
  const session: NewSession = {
    id: randomBytes(16).toString("base64url"),
    userId,
    tokenSalt: newTokenSalt(),
    createdAt: now,
    maxExpiresAt,
    expiresAt: slidingExpiry(core, now, maxExpiresAt),
    ip: meta.ip,
    userAgent: meta.userAgent,
  };
  const refreshToken = deriveRefreshToken(core.refreshTokenKey, session.id, session.tokenSalt, 0);
  return { session, refreshTokenHash: hashRefreshToken(refreshToken) };
}

/** Access token plus the session's refresh token of `generation`. */
export function tokensFor(
  core: Core,
  user: UserRecord,
  session: { id: string; tokenSalt: string; generation: number; expiresAt: number },
): IssuedTokens {
  const { token, expiresIn } = core.accessTokens.sign({
    sub: user.id,
    sid: session.id,
    roles: user.roles,
    ver: user.tokenVersion,
    // Read from the user at every sign-in and refresh: a verification shows from the next one.
    emailVerified: user.emailVerifiedAt !== null,
  });
  return {
    user,
    sessionId: session.id,
    accessToken: token,
    expiresIn,
    refreshToken: deriveRefreshToken(
      core.refreshTokenKey,
      session.id,
      session.tokenSalt,
      session.generation,
    ),
    refreshExpiresAt: session.expiresAt,
  };
}

/** Sessions slide: each refresh extends them by the refresh TTL, up to their absolute limit. */
export function slidingExpiry(core: Core, now: number, maxExpiresAt: number): number {
  return Math.min(now + core.config.refreshTokenTtlMs, maxExpiresAt);
}

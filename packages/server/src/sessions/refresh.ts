import type { RequestMeta } from "../audit/audit-log.js";
import { SYSTEM_ACTOR } from "../actor.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { revoke } from "../revocation/revoke.js";
import type { RefreshTokenMatch } from "../store/store.js";
import {
  deriveRefreshToken,
  hashRefreshToken,
  isWellFormedRefreshToken,
} from "../tokens/refresh-token.js";
import { slidingExpiry, tokensFor, type IssuedTokens } from "./issue-tokens.js";
import { reuseMail } from "./reuse-mail.js";
import { deliverNow, securityMail } from "./security-mail.js";

/**
 * Exchanges a refresh token for a new access token and the session's next refresh token
 * (RFC 9700 §4.14.2: rotation with reuse detection).
 *
 * - Current token: rotate. Of several concurrent callers exactly one wins the store's
 *   conditional update; the others continue as below with the token it just retired.
 * - Token retired less than `refreshReuseInterval` ago (counted from *its own* retirement, so the
 *   window never slides): a racing tab, a lost response or a retry. The caller gets the session's
 *   current refresh token, the same one every other racer gets, so they all converge.
 * - Recovery: the parent of the current token, retired longer ago (up to `refreshRecoveryWindow`).
 *   Presenting the current token always rotates it, so a current token whose parent comes back
 *   has never been presented: whoever asked for it never received it (the answer was lost, then
 *   the device was offline for longer than the grace window). That is not evidence of theft; the
 *   caller gets the current token and the session records that this generation was handed out
 *   twice. Each token is recovered at most once that way: a parent that was itself handed out by
 *   a recovery is not recovered again, so a thief and a victim holding the same token cannot take
 *   turns for ever, and whichever of two holders of a redelivered token presents it second, after
 *   the window, ends the session (docs/security.md, "Stolen refresh token").
 * - Anything else is a token presented by someone who should not have it. The whole session is
 *   revoked — its current token stops working too — and REFRESH_REUSED is answered.
 */
export async function refresh(
  core: Core,
  refreshToken: string,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  if (!isWellFormedRefreshToken(refreshToken))
    throw new AuthError("REFRESH_INVALID", "Refresh token is invalid");
  const tokenHash = hashRefreshToken(refreshToken);
  let match = await findLive(core, tokenHash);

  // Each pass either answers or finds that a conditional write lost to a concurrent request; the
  // session then moved on (or ended, and findLive throws), so the next pass judges fresh state.
  for (;;) {
    if (match.retiredAt === null) {
      const rotated = await rotate(core, match, meta);
      if (rotated !== undefined) return rotated;
      // Another request rotated this token a moment ago: we are a racer inside the window.
    } else {
      const retiredForMs = core.clock.now() - match.retiredAt;
      if (retiredForMs <= core.config.refreshReuseIntervalMs) return grace(core, match, meta);
      if (!isRecoverable(core, match, retiredForMs)) return reuse(core, match, meta);
      if (await core.store.markRedelivered(match.session.id, match.session.generation)) {
        return recovered(core, match, retiredForMs, meta);
      }
      // The current token was presented (and rotated) meanwhile: its parent is now stale.
    }
    match = await findLive(core, tokenHash);
  }
}

/** Rotates the presented current token; undefined when a concurrent request rotated it first. */
async function rotate(
  core: Core,
  match: RefreshTokenMatch,
  meta: RequestMeta,
): Promise<IssuedTokens | undefined> {
  const now = core.clock.now();
  const next = match.generation + 1;
  const expiresAt = slidingExpiry(core, now, match.session.maxExpiresAt);
  const audit = core.audit.event("token.refreshed", meta, {
    userId: match.user.id,
    sessionId: match.session.id,
  });
  const won = await core.store.rotateRefreshToken({
    sessionId: match.session.id,
    fromGeneration: match.generation,
    tokenHash: hashRefreshToken(
      deriveRefreshToken(core.refreshTokenKey, match.session.id, match.session.tokenSalt, next),
    ),
    now,
    expiresAt,
    ip: meta.ip,
    userAgent: meta.userAgent,
    audit,
  });
  if (!won) return undefined;
  core.audit.published(audit);
  return tokensFor(core, match.user, { ...match.session, generation: next, expiresAt });
}

/**
 * The presented token is the current token's parent, within the recovery window, and was not
 * itself handed out by a recovery (its child, the current token, has never been presented:
 * presenting it would have rotated it).
 */
function isRecoverable(core: Core, match: RefreshTokenMatch, retiredForMs: number): boolean {
  const window = core.config.refreshRecoveryWindowMs;
  return (
    window > 0 &&
    retiredForMs <= window &&
    match.generation === match.session.generation - 1 &&
    match.session.redeliveredGeneration !== match.generation
  );
}

async function grace(
  core: Core,
  match: RefreshTokenMatch,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  await core.audit.record("refresh.grace", meta, {
    userId: match.user.id,
    sessionId: match.session.id,
    detail: {
      presentedGeneration: match.generation,
      currentGeneration: match.session.generation,
    },
  });
  return tokensFor(core, match.user, match.session);
}

async function recovered(
  core: Core,
  match: RefreshTokenMatch,
  retiredForMs: number,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  await core.audit.record("refresh.recovered", meta, {
    userId: match.user.id,
    sessionId: match.session.id,
    detail: {
      presentedGeneration: match.generation,
      currentGeneration: match.session.generation,
      retiredForMs,
    },
  });
  return tokensFor(core, match.user, match.session);
}

/**
 * Reuse detection ends the session: Baton's rule acts, whoever presented the token. The user is
 * mailed (written with the revocation, so once however many requests race: only the one that
 * ends the session writes it).
 */
async function reuse(core: Core, match: RefreshTokenMatch, meta: RequestMeta): Promise<never> {
  const outbox = await securityMail(core, match.user, reuseMail, {
    sessionUserAgent: match.session.userAgent,
    ip: meta.ip,
    at: core.clock.now(),
  });
  const ended = await revoke(core, meta, {
    reason: "refresh-token-reuse",
    by: SYSTEM_ACTOR,
    change: (stamp) => core.store.revokeSession(match.session.id, { ...stamp, outbox }),
    // Audited even when a concurrent request revoked the session first: the reuse happened.
    audit: () => ({
      type: "refresh.reused",
      userId: match.user.id,
      sessionId: match.session.id,
      detail: {
        presentedGeneration: match.generation,
        currentGeneration: match.session.generation,
        retiredAt: match.retiredAt,
      },
    }),
  });
  if (ended) deliverNow(core, outbox);
  throw new AuthError(
    "REFRESH_REUSED",
    "Refresh token was already used; the session has been revoked",
  );
}

/** The token's session, if it can still be refreshed at all. */
async function findLive(core: Core, tokenHash: string): Promise<RefreshTokenMatch> {
  const match = await core.store.findByRefreshToken(tokenHash);
  if (match === null) throw new AuthError("REFRESH_INVALID", "Refresh token is invalid");
  if (match.session.revokedAt !== null) {
    const reason = match.session.revokedReason ?? undefined;
    throw new AuthError("SESSION_REVOKED", ENDED[reason ?? ""] ?? "Session has been revoked", {
      reason,
    });
  }
  if (match.session.expiresAt <= core.clock.now())
    throw new AuthError("REFRESH_INVALID", "Session has expired");
  return match;
}

/** What the device that was signed out is told, by the reason its session ended. */
const ENDED: Record<string, string> = {
  "password-reset": "The password was reset; sign in again with the new password",
  "password-changed": "The password was changed on another device; sign in again",
};

import type { RequestMeta } from "../audit/audit-log.js";
import { revocationStamp, type Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { RefreshTokenMatch } from "../store/store.js";
import {
  deriveRefreshToken,
  hashRefreshToken,
  isWellFormedRefreshToken,
} from "../tokens/refresh-token.js";
import { slidingExpiry, tokensFor, type IssuedTokens } from "./issue-tokens.js";

/**
 * Exchanges a refresh token for a new access token and the session's next refresh token
 * (RFC 9700 §4.14.2: rotation with reuse detection).
 *
 * - Current token: rotate. Of several concurrent callers exactly one wins the store's
 *   conditional update; the others continue as below with the token it just retired.
 * - Token retired less than `refreshReuseInterval` ago (counted from *its own* retirement, so the
 *   window never slides): a racing tab, a lost response or a retry. The caller gets the session's
 *   current refresh token, the same one every other racer gets, so they all converge.
 * - Token retired longer ago: presented by someone who should not have it. The whole session is
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

  if (match.retiredAt === null) {
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
    if (won) {
      core.audit.published(audit);
      return tokensFor(core, match.user, { ...match.session, generation: next, expiresAt });
    }
    // Another request rotated this token a moment ago: we are a racer inside the window.
    match = await findLive(core, tokenHash);
  }

  const retiredAt = match.retiredAt ?? core.clock.now();
  if (core.clock.now() - retiredAt <= core.config.refreshReuseIntervalMs) {
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

  await core.store.revokeSession(match.session.id, revocationStamp(core, "refresh-token-reuse"));
  await core.revocations.recorded();
  await core.audit.record("refresh.reused", meta, {
    userId: match.user.id,
    sessionId: match.session.id,
    detail: {
      presentedGeneration: match.generation,
      currentGeneration: match.session.generation,
      retiredAt,
    },
  });
  throw new AuthError(
    "REFRESH_REUSED",
    "Refresh token was already used; the session has been revoked",
  );
}

/** The token's session, if it can still be refreshed at all. */
async function findLive(core: Core, tokenHash: string): Promise<RefreshTokenMatch> {
  const match = await core.store.findByRefreshToken(tokenHash);
  if (match === null) throw new AuthError("REFRESH_INVALID", "Refresh token is invalid");
  if (match.session.revokedAt !== null)
    throw new AuthError("SESSION_REVOKED", "Session has been revoked");
  if (match.session.expiresAt <= core.clock.now())
    throw new AuthError("REFRESH_INVALID", "Session has expired");
  return match;
}

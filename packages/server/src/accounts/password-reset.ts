import { securityMail } from "../sessions/security-mail.js";
import { userActor } from "../actor.js";
import {
  findPresentedToken,
  newAccountToken,
  type AccountTokenParts,
  type PresentedSecret,
} from "../account-tokens/account-tokens.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { assertAcceptablePassword } from "../passwords/password-policy.js";
import { rateLimitKey } from "../rate-limit/client-address.js";
import { revoke } from "../revocation/revoke.js";
import { newSession, tokensFor, type IssuedTokens } from "../sessions/issue-tokens.js";
import { normalizeEmail } from "../users/user-fields.js";
import { accountMail } from "./account-mail.js";
import { passwordChangedMail, passwordResetMail } from "./password-mail.js";

export const PASSWORD_RESET = "password-reset";

/**
 * Reset mails per address and window: enough for a lost mail or two, too few to flood a mailbox.
 * Past it the request is still answered 202 (the answer must not tell anything) and mails nothing.
 */
export const RESETS_PER_ADDRESS = 3;
export const RESET_ADDRESS_WINDOW_MS = 15 * 60_000;
const MINUTE_MS = 60_000;

/**
 * `POST /password/forgot`. The answer (202) must be the same, in the same time, whether the
 * address has an account or not: so everything that depends on the account — the per-address
 * limit, the lookup, the token, the mail — runs after the answer (`core.deferred`), and what
 * runs before it (the address check and the client's budget) is the same for every address.
 * A client over its budget (AUTH_RATE_LIMIT per minute, the same for every address) gets 429.
 */
export async function requestPasswordReset(
  core: Core,
  input: { email: string },
  meta: RequestMeta,
): Promise<void> {
  const mail = accountMail(core);
  const email = normalizeEmail(input.email);
  const limit = core.config.authRateLimit;
  if (limit > 0) {
    const client = rateLimitKey(meta.ip, core.config.rateLimitIpv6Prefix);
    const window = await core.rateLimiter.hit(`forgot:${client}`, MINUTE_MS);
    if (window.count > limit)
      throw new AuthError("RATE_LIMITED", "Too many reset requests from this address; slow down", {
        retryAfter: Math.max(1, Math.ceil((window.resetAt - core.clock.now()) / 1000)),
      });
  }
  core.deferred.run("password reset request", () => mailResetLink(core, mail, email, meta));
}

async function mailResetLink(
  core: Core,
  mail: NonNullable<Core["mail"]>,
  email: string,
  meta: RequestMeta,
): Promise<void> {
  const requested = (outcome: string, userId: string | null) =>
    core.audit.record("password.reset_requested", meta, { userId, detail: { email, outcome } });
  const window = await core.rateLimiter.hit(`forgot:email:${email}`, RESET_ADDRESS_WINDOW_MS);
  if (window.count > RESETS_PER_ADDRESS) return requested("limited", null);
  const user = await core.store.findUserByEmail(email);
  if (user === null) return requested("unknown-address", null);
  const ttlMs = core.config.passwordResetTtlMs;
  const { secret, record } = newAccountToken(tokenParts(core), {
    user,
    purpose: PASSWORD_RESET,
    email: user.email,
    ttlMs,
  });
  const message = mail.mailer.compose(passwordResetMail, {
    to: user.email,
    data: { name: user.name, secret, ttlMinutes: Math.round(ttlMs / MINUTE_MS) },
  });
  if (!(await core.store.issueAccountToken(record, [message]))) return requested("gone", null);
  void mail.worker.deliverDue();
  await requested("mailed", user.id);
}

/**
 * `POST /password/reset`: the mailed link's token, or the code with the address, and the new
 * password. In one store transaction: the token is spent, the password set, the credential
 * version raised (every other pending link dies with it), every session revoked (access tokens
 * refused at once, as every revocation), "your password was changed" queued; and this device is
 * signed in with a new session. Of two resets with one token exactly one wins; the other, like
 * any dead link, is LINK_INVALID.
 */
export async function resetPassword(
  core: Core,
  input: { presented: PresentedSecret; password: string },
  meta: RequestMeta,
): Promise<IssuedTokens> {
  const mail = accountMail(core);
  assertAcceptablePassword(input.password);
  const { token, user } = await findPresentedToken(
    tokenParts(core),
    PASSWORD_RESET,
    input.presented,
  );
  // Issue 16 (second factor): when the account has one, it must be checked HERE, before anything
  // changes — a mailed link proves the mailbox, not the second factor, so a reset must never
  // sign in (or even change the password) without it.
  const passwordHash = await core.passwords.hash(input.password);
  const { session, refreshTokenHash } = newSession(core, user.id, meta);
  const changed = await securityMail(core, user, passwordChangedMail, {
    name: user.name,
    how: "reset",
    at: core.clock.now(),
  });
  const outcome = await revoke(core, meta, {
    reason: "password-reset",
    // Whoever holds the mailed secret acts from the session this reset opens for them.
    by: userActor({ userId: user.id, sessionId: session.id }),
    change: (stamp) =>
      core.store.resetPassword({
        ...stamp,
        userId: user.id,
        tokenId: token.id,
        passwordHash,
        fromCredentialVersion: token.credentialVersion,
        outbox: changed,
        session,
        refreshTokenHash,
      }),
    audit: (result) =>
      result.reset
        ? {
            type: "password.reset",
            userId: user.id,
            sessionId: session.id,
            detail: { sessionsRevoked: result.revokedSessionIds.length },
          }
        : null,
  });
  if (!outcome.reset)
    throw new AuthError(
      "LINK_INVALID",
      "This link or code is not valid any more: it was used, or the password changed meanwhile",
    );
  void mail.worker.deliverDue();
  return tokensFor(
    core,
    { ...user, passwordHash, credentialVersion: user.credentialVersion + 1 },
    { ...session, generation: 0 },
  );
}

function tokenParts(core: Core): AccountTokenParts {
  return { store: core.store, key: core.accountTokenKey, clock: core.clock };
}

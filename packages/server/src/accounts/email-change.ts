import {
  findPresentedToken,
  newAccountToken,
  type AccountTokenParts,
} from "../account-tokens/account-tokens.js";
import type { UserActor } from "../actor.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { revoke } from "../revocation/revoke.js";
import type { AccountTokenRecord, UserRecord } from "../store/store.js";
import { normalizeEmail } from "../users/user-fields.js";
import { accountMail } from "./account-mail.js";
import { verifyCurrentPassword } from "./current-password.js";
import { emailChangedNoticeMail, verifyAddressMail } from "./email-mail.js";

export const EMAIL_CHANGE = "email-change";
export const EMAIL_CHANGE_UNDO = "email-change-undo";
/** The new address's confirmation: as long as a sign-up's verification. */
const CHANGE_TTL_MS = 24 * 60 * 60 * 1000;
/** The old address's way back: long enough for someone who reads mail weekly. */
const UNDO_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Starts a change of the signed-in user's address: with the current password (checked on this
 * session's budget, as a password change), mails a confirmation to `newEmail`. Nothing changes
 * until that mail's link or code comes back (`confirmEmailChange`); a newer request replaces it.
 * EMAIL_TAKEN when another account has the address now (it is checked again at confirmation).
 */
export async function requestEmailChange(
  core: Core,
  by: UserActor,
  input: { newEmail: string; password: string },
  meta: RequestMeta,
): Promise<void> {
  const mail = accountMail(core);
  const newEmail = normalizeEmail(input.newEmail);
  const user = await core.store.findUserById(by.userId);
  const session = await core.store.findSession(by.sessionId);
  if (user === null || session === null || session.revokedAt !== null)
    throw new AuthError("SESSION_REVOKED", "Session has been revoked");
  await verifyCurrentPassword(core, { user, session }, input.password, meta, "email-change");
  if (newEmail === user.email)
    throw new AuthError("VALIDATION_FAILED", "This is already the account's address", {
      details: [{ path: "/newEmail", message: "is already the account's address" }],
    });
  if ((await core.store.findUserByEmail(newEmail)) !== null)
    throw new AuthError("EMAIL_TAKEN", "An account with this email already exists");
  const { secret, record } = newAccountToken(parts(core), {
    user,
    purpose: EMAIL_CHANGE,
    email: newEmail,
    ttlMs: CHANGE_TTL_MS,
  });
  const message = mail.mailer.compose(verifyAddressMail, {
    to: newEmail,
    data: { secret, change: true, validHours: CHANGE_TTL_MS / 3_600_000 },
  });
  if (!(await core.store.issueAccountToken(record, [message])))
    throw new AuthError("SESSION_REVOKED", "Account no longer exists");
  void mail.worker.deliverDue();
  await core.audit.record("email.change_requested", meta, {
    userId: user.id,
    sessionId: session.id,
  });
}

/**
 * Applies a change whose confirmation came back (found by accounts/email-verification.ts): in one
 * transaction the token is spent, the address becomes the new one (verified), and the old
 * address is mailed a notice with an undo link. EMAIL_TAKEN, with nothing changed, when another
 * account took the address meanwhile.
 */
export async function confirmEmailChange(
  core: Core,
  found: { token: AccountTokenRecord; user: UserRecord },
  meta: RequestMeta,
): Promise<UserRecord> {
  const mail = accountMail(core);
  const { token, user } = found;
  const undo = newAccountToken(parts(core), {
    user,
    purpose: EMAIL_CHANGE_UNDO,
    email: user.email,
    ttlMs: UNDO_TTL_MS,
  });
  const notice = mail.mailer.compose(emailChangedNoticeMail, {
    to: user.email,
    data: {
      newEmail: token.email,
      undoToken: undo.secret.token,
      validDays: UNDO_TTL_MS / 86_400_000,
    },
  });
  const now = core.clock.now();
  const outcome = await core.store.changeEmail({
    userId: user.id,
    tokenId: token.id,
    email: token.email,
    fromEmail: user.email,
    now,
    undoToken: undo.record,
    outbox: [notice],
  });
  if (!outcome.changed) {
    if (outcome.reason === "email-taken")
      throw new AuthError("EMAIL_TAKEN", "Another account took this address meanwhile");
    throw new AuthError("LINK_INVALID", "This link or code is not valid any more");
  }
  // This instance's /me shows the new address at once; the others re-read within the poll bound.
  core.profiles.forget(user.id);
  void mail.worker.deliverDue();
  await core.audit.record("email.changed", meta, {
    userId: user.id,
    detail: { from: user.email, to: token.email },
  });
  return { ...user, email: token.email, emailVerifiedAt: now };
}

/**
 * The old address's undo link: puts the old address back (if no other account took it: then
 * EMAIL_TAKEN and nothing changes), cancels pending changes and ends every session of the account
 * through the revocation step. The link survives a password change made after the email change
 * (an intruder's next move), but is single-use and expires.
 */
export async function undoEmailChange(
  core: Core,
  presented: { token: string },
  meta: RequestMeta,
): Promise<void> {
  accountMail(core);
  const { token, user } = await findPresentedToken(parts(core), EMAIL_CHANGE_UNDO, presented, {
    survivesPasswordChange: true,
  });
  const outcome = await revoke(core, meta, {
    reason: "email-change-undone",
    by: { kind: "link", userId: user.id, purpose: EMAIL_CHANGE_UNDO },
    change: (stamp) =>
      core.store.restoreEmail({
        ...stamp,
        userId: user.id,
        tokenId: token.id,
        email: token.email,
        cancelPurposes: [EMAIL_CHANGE, EMAIL_CHANGE_UNDO],
      }),
    audit: (restore) =>
      restore.restored
        ? {
            type: "email.change_undone",
            userId: user.id,
            sessionId: null,
            detail: {
              from: user.email,
              to: token.email,
              sessionsRevoked: restore.revokedSessionIds.length,
            },
          }
        : null,
  });
  if (!outcome.restored) {
    if (outcome.reason === "email-taken")
      throw new AuthError("EMAIL_TAKEN", "Another account has taken the old address meanwhile");
    throw new AuthError("LINK_INVALID", "This link is not valid any more");
  }
  core.profiles.forget(user.id);
}

function parts(core: Core): AccountTokenParts {
  return { store: core.store, key: core.accountTokenKey, clock: core.clock };
}

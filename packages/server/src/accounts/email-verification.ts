import {
  findPresentedToken,
  newAccountToken,
  type AccountTokenParts,
  type PresentedSecret,
} from "../account-tokens/account-tokens.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { NewAccountToken, NewOutboxMessage, UserRecord } from "../store/store.js";
import { rateLimitKey } from "../rate-limit/client-address.js";
import { normalizeEmail } from "../users/user-fields.js";
import { accountMail } from "./account-mail.js";
import { confirmEmailChange, EMAIL_CHANGE } from "./email-change.js";
import { verifyAddressMail } from "./email-mail.js";

export const EMAIL_VERIFICATION = "email-verification";
/** A day: long enough to find the mail tomorrow morning, short enough that old mail dies. */
export const VERIFICATION_TTL_MS = 24 * 60 * 60 * 1000;
/** Least time between two verification mails of one account (resend), whoever asks. */
export const RESEND_COOLDOWN_MS = 60_000;
/** Resends by email address (no session) one client address may ask for per window. */
const ANONYMOUS_RESENDS = 5;
const ANONYMOUS_RESEND_WINDOW_MS = 15 * 60_000;

/**
 * A verification of `user`'s current address: the token record and its mail, for the caller to
 * store in its own transaction (createUser's at sign-up, issueAccountToken's on a resend).
 */
export function addressVerification(
  core: Core,
  user: UserRecord,
): { record: NewAccountToken; message: NewOutboxMessage } {
  const { mailer } = accountMail(core);
  const { secret, record } = newAccountToken(tokenParts(core), {
    user,
    purpose: EMAIL_VERIFICATION,
    email: user.email,
    ttlMs: VERIFICATION_TTL_MS,
  });
  const message = mailer.compose(verifyAddressMail, {
    to: user.email,
    data: { secret, change: false, validHours: VERIFICATION_TTL_MS / 3_600_000 },
  });
  return { record, message };
}

/**
 * Mails a new verification to the signed-in user (the older one stops working). RATE_LIMITED
 * within RESEND_COOLDOWN_MS of the last one, with the seconds left; nothing when the address is
 * already verified.
 */
export async function resendVerification(
  core: Core,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  accountMail(core);
  const user = await core.store.findUserById(userId);
  if (user === null) throw new AuthError("SESSION_REVOKED", "Account no longer exists");
  if (user.emailVerifiedAt !== null) return;
  const wait = await cooldownLeftMs(core, user);
  if (wait > 0)
    throw new AuthError("RATE_LIMITED", "A verification mail was sent a moment ago", {
      retryAfter: Math.ceil(wait / 1000),
    });
  await sendVerification(core, user, meta);
}

/**
 * Resend for someone who cannot sign in yet (EMAIL_VERIFICATION=required): the same answer
 * whether or not the address has an account, is verified or is cooling down, and in the same
 * time — the work happens after the answer — so it reveals nothing about who is registered.
 * Limited per client address (RATE_LIMITED) and per account (the cool-down, silently).
 */
export async function resendVerificationByEmail(
  core: Core,
  rawEmail: string,
  meta: RequestMeta,
): Promise<void> {
  accountMail(core);
  const email = normalizeEmail(rawEmail);
  const key = `verify-resend:${rateLimitKey(meta.ip, core.config.rateLimitIpv6Prefix)}`;
  const window = await core.rateLimiter.hit(key, ANONYMOUS_RESEND_WINDOW_MS);
  if (window.count > ANONYMOUS_RESENDS)
    throw new AuthError("RATE_LIMITED", "Too many requests from this address; try again later", {
      retryAfter: Math.max(1, Math.ceil((window.resetAt - core.clock.now()) / 1000)),
    });
  void (async () => {
    const user = await core.store.findUserByEmail(email);
    if (user === null || user.emailVerifiedAt !== null) return;
    if ((await cooldownLeftMs(core, user)) > 0) return;
    await sendVerification(core, user, meta);
  })().catch((error: unknown) =>
    core.logger.error({ err: error }, "Could not send a verification mail"),
  );
}

/**
 * Redeems a verification link or code. The link and the signed-in user's code serve both the
 * verification of the account's address and the confirmation of an email change (the mail they
 * came in says which); a code sent with an address (no session) verifies that account's address.
 * Returns the user as it is now: verified, and for a change with the new address.
 */
export async function verifyEmail(
  core: Core,
  presented: PresentedSecret,
  meta: RequestMeta,
): Promise<UserRecord> {
  accountMail(core);
  const parts = tokenParts(core);
  if ("token" in presented) {
    // One lookup by hash finds the token whatever its purpose; ask for the likelier one first.
    const found = await findPresentedToken(parts, EMAIL_VERIFICATION, presented).catch(
      (error: unknown) => {
        if (error instanceof AuthError && error.code === "LINK_INVALID") return null;
        throw error;
      },
    );
    if (found !== null) return confirmAddress(core, found, meta);
    return confirmEmailChange(core, await findPresentedToken(parts, EMAIL_CHANGE, presented), meta);
  }
  if ("userId" in presented && (await hasLiveToken(core, presented.userId, EMAIL_CHANGE)))
    return confirmEmailChange(core, await findPresentedToken(parts, EMAIL_CHANGE, presented), meta);
  return confirmAddress(core, await findPresentedToken(parts, EMAIL_VERIFICATION, presented), meta);
}

async function confirmAddress(
  core: Core,
  found: Awaited<ReturnType<typeof findPresentedToken>>,
  meta: RequestMeta,
): Promise<UserRecord> {
  const now = core.clock.now();
  const outcome = await core.store.confirmEmail({
    userId: found.user.id,
    tokenId: found.token.id,
    email: found.token.email,
    now,
  });
  if (outcome === "link-spent")
    throw new AuthError("LINK_INVALID", "This link or code is not valid any more");
  core.profiles.forget(found.user.id);
  await core.audit.record("email.verified", meta, { userId: found.user.id });
  return { ...found.user, emailVerifiedAt: found.user.emailVerifiedAt ?? now };
}

async function sendVerification(core: Core, user: UserRecord, meta: RequestMeta): Promise<void> {
  const { record, message } = addressVerification(core, user);
  if (!(await core.store.issueAccountToken(record, [message]))) return;
  void accountMail(core).worker.deliverDue();
  await core.audit.record("email.verification_sent", meta, { userId: user.id });
}

async function cooldownLeftMs(core: Core, user: UserRecord): Promise<number> {
  const last = await core.store.findLatestAccountToken(user.id, EMAIL_VERIFICATION);
  return last === null ? 0 : last.createdAt + RESEND_COOLDOWN_MS - core.clock.now();
}

async function hasLiveToken(core: Core, userId: string, purpose: string): Promise<boolean> {
  const token = await core.store.findLatestAccountToken(userId, purpose);
  return token !== null && token.usedAt === null && token.expiresAt > core.clock.now();
}

function tokenParts(core: Core): AccountTokenParts {
  return { store: core.store, key: core.accountTokenKey, clock: core.clock };
}

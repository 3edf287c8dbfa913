import { parseUserAgent } from "@baton/protocol";
import type { RequestMeta } from "../audit/audit-log.js";
import { normalizeEmail } from "../users/user-fields.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { GuessBudget } from "../rate-limit/login-throttle.js";
import { startSession, type IssuedTokens } from "./issue-tokens.js";
import { newDeviceMail } from "./new-device-mail.js";
import { deliverNow, securityMail } from "./security-mail.js";

/**
 * Password login. Unknown email and wrong password take the same time and give the same answer
 * (OWASP ASVS 2.2 / no user enumeration). Each password check is paid for from a guess budget
 * before it runs (rate-limit/login-throttle.ts): the device's own when `deviceTokens` holds a
 * valid device token for the account, else the account's shared one and the address's.
 */
export async function login(
  core: Core,
  input: { email: string; password: string },
  meta: RequestMeta,
  deviceTokens: readonly string[] = [],
): Promise<IssuedTokens> {
  let email: string;
  try {
    email = normalizeEmail(input.email);
  } catch {
    throw new AuthError("INVALID_CREDENTIALS", "Email or password is incorrect");
  }
  const user = await core.store.findUserByEmail(email);
  const reservation = await core.loginThrottle.reserveLogin({
    email,
    holder: user,
    address: meta.ip,
    deviceTokens,
  });
  if (!reservation.granted) {
    await core.audit.record("login.locked", meta, {
      userId: user?.id ?? null,
      detail: { email, budget: reservation.budget },
    });
    throw new AuthError("RATE_LIMITED", LOCKED[reservation.budget], {
      retryAfter: reservation.retryAfterSeconds,
    });
  }

  let wrongGuess = false;
  try {
    const valid =
      user === null
        ? await core.passwords.verifyDummy(input.password)
        : await core.passwords.verify(user.passwordHash, input.password);
    if (user === null || !valid) {
      wrongGuess = true;
      await core.audit.record("login.failed", meta, {
        userId: user?.id ?? null,
        detail: { email },
      });
      throw new AuthError("INVALID_CREDENTIALS", "Email or password is incorrect");
    }
  } finally {
    // Settle: a wrong guess keeps its unit; a right one, or a check that never finished, does not.
    if (!wrongGuess) await reservation.release();
  }

  let current = user;
  if (core.passwords.needsRehash(user.passwordHash)) {
    // Imported bcrypt (or older argon2 parameters): upgrade while we hold the plain password,
    // unless the password changed meanwhile (the upgrade must never bring the old one back).
    const passwordHash = await core.passwords.hash(input.password);
    const rehashed = await core.store.rehashPassword(user.id, {
      passwordHash,
      credentialVersion: user.credentialVersion,
      now: core.clock.now(),
    });
    if (rehashed) {
      current = { ...user, passwordHash };
      await core.audit.record("password.rehashed", meta, { userId: user.id });
    }
  }
  // Only after the password proved who asks: an unverified account is not told to strangers.
  if (core.config.emailVerification === "required" && user.emailVerifiedAt === null) {
    await core.audit.record("login.failed", meta, {
      userId: user.id,
      detail: { email, reason: "email-not-verified" },
    });
    throw new AuthError(
      "EMAIL_NOT_VERIFIED",
      "Confirm your email address first: use the link or code we sent, or ask for a new one",
    );
  }
  // A device is known by its device cookie, issued when it proved this password before (and
  // checked against the hash it was issued for, `user`'s, even if just upgraded above). A client
  // without cookies is never known: otherwise choosing the body transport would skip the alert.
  const knownDevice = core.loginThrottle.isKnownDevice(deviceTokens, user);
  const location = knownDevice || meta.ip === null ? null : (core.locate?.(meta.ip) ?? null);
  const alert = knownDevice
    ? []
    : await securityMail(core, current, newDeviceMail, {
        userAgent: meta.userAgent,
        ip: meta.ip,
        location,
        at: core.clock.now(),
      });
  const issued = await startSession(core, current, meta, alert);
  deliverNow(core, alert);
  await core.audit.record("login.succeeded", meta, {
    userId: user.id,
    sessionId: issued.sessionId,
  });
  if (!knownDevice)
    await core.audit.record("login.new_device", meta, {
      userId: user.id,
      sessionId: issued.sessionId,
      detail: {
        device: parseUserAgent(meta.userAgent).label,
        ...(location !== null && { location }),
      },
    });
  return issued;
}

const LOCKED: Record<GuessBudget, string> = {
  device: "Too many failed logins on this device; try again later",
  account:
    "Too many failed logins for this account; try again later, or from a device that signed in to it before",
  address: "Too many failed logins from this address; try again later",
  session: "Too many failed logins; try again later",
};

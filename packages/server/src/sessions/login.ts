import type { RequestMeta } from "../audit/audit-log.js";
import { normalizeEmail } from "../accounts/account-fields.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { startSession, type IssuedTokens } from "./issue-tokens.js";

/**
 * Password login. Unknown email and wrong password take the same time and give the same answer
 * (OWASP ASVS 2.2 / no user enumeration); failures count towards per-account and per-IP lockouts.
 */
export async function login(
  core: Core,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<IssuedTokens> {
  let email: string;
  try {
    email = normalizeEmail(input.email);
  } catch {
    throw new AuthError("INVALID_CREDENTIALS", "Email or password is incorrect");
  }
  const ip = meta.ip ?? "unknown";
  try {
    await core.loginThrottle.assertAllowed(email, ip);
  } catch (error) {
    await core.audit.record("login.locked", meta, { detail: { email } });
    throw error;
  }

  const user = await core.store.findUserByEmail(email);
  const valid =
    user === null
      ? await core.passwords.verifyDummy(input.password)
      : await core.passwords.verify(user.passwordHash, input.password);
  if (user === null || !valid) {
    await core.loginThrottle.recordFailure(email, ip);
    await core.audit.record("login.failed", meta, { userId: user?.id ?? null, detail: { email } });
    throw new AuthError("INVALID_CREDENTIALS", "Email or password is incorrect");
  }

  await core.loginThrottle.recordSuccess(email);
  if (core.passwords.needsRehash(user.passwordHash)) {
    // Imported bcrypt (or older argon2 parameters): upgrade while we hold the plain password,
    // unless the password changed meanwhile (the upgrade must never bring the old one back).
    const rehashed = await core.store.rehashPassword(user.id, {
      passwordHash: await core.passwords.hash(input.password),
      credentialVersion: user.credentialVersion,
      now: core.clock.now(),
    });
    if (rehashed) await core.audit.record("password.rehashed", meta, { userId: user.id });
  }
  const issued = await startSession(core, user, meta);
  await core.audit.record("login.succeeded", meta, {
    userId: user.id,
    sessionId: issued.sessionId,
  });
  return issued;
}

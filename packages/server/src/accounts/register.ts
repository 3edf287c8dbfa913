import { randomUUID } from "node:crypto";
import { auditedBy, type Administrator } from "../actor.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { addressVerification } from "./email-verification.js";
import { assertAcceptablePassword } from "../passwords/password-policy.js";
import { startSession, type IssuedTokens } from "../sessions/issue-tokens.js";
import type { UserRecord } from "../store/store.js";
import { displayNameOf, normalizeEmail, type NameFields } from "../users/user-fields.js";

export const DEFAULT_ROLES = ["user"];

/**
 * Creates an account and signs it in on this device. The name may come as `name`, `fullName` or
 * `firstName` + `lastName` (users/user-fields.ts), as other apps' sign-up forms send it. When
 * Baton sends mail, the address's verification goes out with the account (same transaction);
 * with EMAIL_VERIFICATION=required the account is created but not signed in: the answer is
 * EMAIL_NOT_VERIFIED until the mailed link or code comes back.
 */
export async function register(
  core: Core,
  input: { email: string; password: string } & NameFields,
  meta: RequestMeta,
): Promise<IssuedTokens> {
  const email = normalizeEmail(input.email);
  const name = displayNameOf(input);
  assertAcceptablePassword(input.password);
  const user = await createUser(core, {
    email,
    name,
    password: input.password,
    roles: DEFAULT_ROLES,
    verify: core.mail !== null,
  });
  if (user === null)
    throw new AuthError("EMAIL_TAKEN", "An account with this email already exists");
  if (core.config.emailVerification === "required") {
    await core.audit.record("user.registered", meta, { userId: user.id });
    throw new AuthError(
      "EMAIL_NOT_VERIFIED",
      "Account created: confirm your email address with the link or code we sent, then sign in",
    );
  }
  const issued = await startSession(core, user, meta);
  await core.audit.record("user.registered", meta, {
    userId: user.id,
    sessionId: issued.sessionId,
  });
  return issued;
}

/**
 * Creates an account without signing it in — for the command line, or the first admin at
 * startup; null when the email is taken. The fields are checked by the caller (user-fields.ts).
 * The address counts as verified: the operator who typed it vouches for it (and the first admin
 * must be able to sign in under EMAIL_VERIFICATION=required before any mail works).
 */
export async function createAccount(
  core: Core,
  by: Administrator,
  fields: { email: string; name: string | null; password: string; roles: string[] },
  meta: RequestMeta,
): Promise<UserRecord | null> {
  const user = await createUser(core, { ...fields, verify: false, verifiedAt: core.clock.now() });
  if (user !== null)
    await core.audit.record("user.registered", meta, {
      userId: user.id,
      detail: { by: auditedBy(by) },
    });
  return user;
}

/**
 * Inserts a user with a fresh argon2id hash, and with `verify` the mail verifying its address in
 * the same transaction; null when the email is taken.
 */
async function createUser(
  core: Core,
  fields: {
    email: string;
    name: string | null;
    password: string;
    roles: string[];
    verify: boolean;
    verifiedAt?: number;
  },
): Promise<UserRecord | null> {
  const now = core.clock.now();
  const user: UserRecord = {
    id: randomUUID(),
    email: fields.email,
    name: fields.name,
    passwordHash: await core.passwords.hash(fields.password),
    roles: fields.roles,
    createdAt: now,
    updatedAt: now,
    tokenVersion: 0,
    credentialVersion: 0,
    emailVerifiedAt: fields.verifiedAt ?? null,
  };
  if (!fields.verify) return core.store.createUser(user);
  const verification = addressVerification(core, user);
  const created = await core.store.createUser(user, [verification.message], [verification.record]);
  if (created !== null) void core.mail?.worker.deliverDue();
  return created;
}

import { randomUUID } from "node:crypto";
import { auditedBy, type Administrator } from "../actor.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { assertAcceptablePassword } from "../passwords/password-policy.js";
import { startSession, type IssuedTokens } from "../sessions/issue-tokens.js";
import type { UserRecord } from "../store/store.js";
import { displayNameOf, normalizeEmail, type NameFields } from "../users/user-fields.js";

export const DEFAULT_ROLES = ["user"];

/**
 * Creates an account and signs it in on this device. The name may come as `name`, `fullName` or
 * `firstName` + `lastName` (users/user-fields.ts), as other apps' sign-up forms send it.
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
  });
  if (user === null)
    throw new AuthError("EMAIL_TAKEN", "An account with this email already exists");
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
 */
export async function createAccount(
  core: Core,
  by: Administrator,
  fields: { email: string; name: string | null; password: string; roles: string[] },
  meta: RequestMeta,
): Promise<UserRecord | null> {
  const user = await createUser(core, fields);
  if (user !== null)
    await core.audit.record("user.registered", meta, {
      userId: user.id,
      detail: { by: auditedBy(by) },
    });
  return user;
}

/** Inserts a user with a fresh argon2id hash; null when the email is taken. */
async function createUser(
  core: Core,
  fields: { email: string; name: string | null; password: string; roles: string[] },
): Promise<UserRecord | null> {
  return core.store.createUser({
    id: randomUUID(),
    email: fields.email,
    name: fields.name,
    passwordHash: await core.passwords.hash(fields.password),
    roles: fields.roles,
    createdAt: core.clock.now(),
  });
}

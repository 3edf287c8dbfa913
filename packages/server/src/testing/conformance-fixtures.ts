import type { NewAccountToken, NewSession, NewUser, Store, UserRecord } from "../store/store.js";

/** The instant the conformance suites' records start from. */
export const T0 = Date.parse("2026-03-01T12:00:00.000Z");

let counter = 0;
/** A value no other record of the run has (a custom store may keep one database for all tests). */
export const unique = (prefix: string) =>
  `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** Creates a user with a fresh address (unless `fields` names one); fails the test if refused. */
export async function testUser(store: Store, fields: Partial<NewUser> = {}): Promise<UserRecord> {
  const created = await store.createUser({
    id: unique("user"),
    email: `${unique("u")}@example.com`,
    name: null,
    passwordHash: "$argon2id$x",
    roles: ["user"],
    createdAt: T0,
    ...fields,
  });
  if (created === null) throw new Error("user not created");
  return created;
}

/** A session of `userId`, not stored yet: a day to live, ten at most. */
export function testSession(userId: string, fields: Partial<NewSession> = {}): NewSession {
  return {
    id: unique("sess"),
    userId,
    tokenSalt: "salt",
    createdAt: T0,
    expiresAt: T0 + 86_400_000,
    maxExpiresAt: T0 + 10 * 86_400_000,
    ip: null,
    userAgent: null,
    ...fields,
  };
}

/** A mailed token of `userId` for `purpose`, not stored yet: hashes only, live for 30 minutes. */
export function testAccountToken(
  userId: string,
  purpose: string,
  fields: Partial<NewAccountToken> = {},
): NewAccountToken {
  return {
    id: unique("tok"),
    userId,
    purpose,
    tokenHash: unique("hash"),
    codeHash: unique("code"),
    email: "someone@example.com",
    credentialVersion: 0,
    createdAt: T0,
    expiresAt: T0 + 1_800_000,
    ...fields,
  };
}

/** A mail for the outbox. */
export function testMail(kind = "mail") {
  return { id: unique("msg"), kind, payload: "{}", createdAt: T0 };
}

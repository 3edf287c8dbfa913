import type { Kysely, Selectable } from "kysely";
import type { AccountTokenRecord, NewAccountToken } from "../store.js";
import type { AccountTokensTable, Database } from "./schema.js";

/**
 * The `account_tokens` table's statements. Each takes whatever executes it: the store's
 * connection, or the transaction of the change that consumes a token (a reset, a verification),
 * so the token is spent if and only if that change commits.
 */
export async function insertAccountToken(
  executor: Kysely<Database>,
  token: NewAccountToken,
  replaceOlder = true,
): Promise<void> {
  // A newer request replaces older ones: their mail stops working (the issue's "invalidated by
  // a newer request"). Used tokens stay, for `findLatestAccountToken` to report them as used.
  if (replaceOlder)
    await executor
      .deleteFrom("account_tokens")
      .where("user_id", "=", token.userId)
      .where("purpose", "=", token.purpose)
      .where("used_at", "is", null)
      .execute();
  await executor
    .insertInto("account_tokens")
    .values({
      id: token.id,
      user_id: token.userId,
      purpose: token.purpose,
      token_hash: token.tokenHash,
      code_hash: token.codeHash,
      email: token.email,
      credential_version: token.credentialVersion,
      attempts: 0,
      created_at: token.createdAt,
      expires_at: token.expiresAt,
      used_at: null,
    })
    .execute();
}

/** Spends the token if it is unused and unexpired; false (nothing changed) otherwise. */
export async function consumeAccountToken(
  executor: Kysely<Database>,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await executor
    .updateTable("account_tokens")
    .set({ used_at: now })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function findAccountToken(
  db: Kysely<Database>,
  tokenHash: string,
): Promise<AccountTokenRecord | null> {
  const row = await db
    .selectFrom("account_tokens")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  return row ? toAccountToken(row) : null;
}

export async function findLatestAccountToken(
  db: Kysely<Database>,
  userId: string,
  purpose: string,
): Promise<AccountTokenRecord | null> {
  const row = await db
    .selectFrom("account_tokens")
    .selectAll()
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? toAccountToken(row) : null;
}

/** One statement: concurrent guesses each get their own count. */
export async function countAccountTokenAttempt(db: Kysely<Database>, id: string): Promise<number> {
  const row = await db
    .updateTable("account_tokens")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("id", "=", id)
    .returning("attempts")
    .executeTakeFirst();
  // A token deleted meanwhile (replaced by a newer one) has no guesses left.
  return row === undefined ? Number.POSITIVE_INFINITY : Number(row.attempts);
}

function toAccountToken(row: Selectable<AccountTokensTable>): AccountTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    tokenHash: row.token_hash,
    codeHash: row.code_hash,
    email: row.email,
    credentialVersion: Number(row.credential_version),
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
  };
}

import type { Kysely, Selectable } from "kysely";
import type {
  NewOutboxMessage,
  OutboxClaim,
  OutboxMessage,
  OutboxRecord,
  OutboxSettlement,
} from "../store.js";
import type { SqlDialect } from "./dialect.js";
import type { Database, OutboxTable } from "./schema.js";

/**
 * Writes outbox messages with whatever executes it: the store's own connection, or the
 * transaction of the change that causes them (sql-store.ts), so they commit or roll back with it.
 */
export async function insertOutbox(
  executor: Kysely<Database>,
  messages: readonly NewOutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  await executor
    .insertInto("outbox")
    .values(
      messages.map((message) => ({
        id: message.id,
        kind: message.kind,
        status: "pending" as const,
        payload: message.payload,
        attempts: 0,
        lease: null,
        next_attempt_at: message.createdAt,
        created_at: message.createdAt,
        settled_at: null,
        last_error: null,
      })),
    )
    .execute();
}

/**
 * One statement: pick the due messages and lease them. On PostgreSQL the pick locks its rows and
 * skips rows another claim has locked (`FOR UPDATE SKIP LOCKED`), so concurrent claims take
 * disjoint messages without waiting on each other; the outer conditions are checked again on the
 * locked row's newest version. The pick is a MATERIALIZED common table expression, run exactly
 * once: written as `id IN (subquery … LIMIT n)`, PostgreSQL plans a nested-loop semi join that
 * runs the subquery again for every row, each run passing over the rows this statement has just
 * updated, so a claim of 3 took all 5 due messages. SQLite runs one writing statement at a time,
 * so the pick and the update cannot interleave with another claim.
 */
export async function claimOutbox(
  db: Kysely<Database>,
  dialect: SqlDialect,
  claim: OutboxClaim,
): Promise<OutboxMessage[]> {
  const rows = await db
    .with(
      (cte) => cte("due").materialized(),
      (qb) => {
        const due = qb
          .selectFrom("outbox")
          .select("id")
          .where("kind", "=", claim.kind)
          .where("status", "=", "pending")
          .where("next_attempt_at", "<=", claim.now)
          .orderBy("next_attempt_at")
          .orderBy("id")
          .limit(claim.limit);
        return dialect.rowLocks ? due.forUpdate().skipLocked() : due;
      },
    )
    .updateTable("outbox")
    .set((eb) => ({
      lease: claim.lease,
      attempts: eb("attempts", "+", 1),
      next_attempt_at: claim.leaseUntil,
    }))
    .where("id", "in", (eb) => eb.selectFrom("due").select("due.id"))
    .where("status", "=", "pending")
    .where("next_attempt_at", "<=", claim.now)
    .returning(["id", "kind", "payload", "created_at", "attempts"])
    .execute();
  return rows
    .map((row) => ({
      id: row.id,
      kind: row.kind,
      payload: row.payload ?? "",
      createdAt: Number(row.created_at),
      attempts: Number(row.attempts),
      lease: claim.lease,
    }))
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** Settles a message only while `lease` is still its claim. */
export async function settleOutbox(
  db: Kysely<Database>,
  id: string,
  lease: string,
  settlement: OutboxSettlement,
): Promise<boolean> {
  const changes =
    settlement.outcome === "retry"
      ? {
          lease: null,
          next_attempt_at: settlement.nextAttemptAt,
          last_error: settlement.error,
        }
      : {
          status: settlement.outcome,
          lease: null,
          payload: null,
          settled_at: settlement.at,
          ...(settlement.outcome === "failed" ? { last_error: settlement.error } : {}),
        };
  const updated = await db
    .updateTable("outbox")
    .set(changes)
    .where("id", "=", id)
    .where("lease", "=", lease)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export async function countPendingOutbox(db: Kysely<Database>, kind: string): Promise<number> {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.countAll<number | string>().as("pending"))
    .where("kind", "=", kind)
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  return Number(row.pending);
}

export async function findOutboxMessage(
  db: Kysely<Database>,
  id: string,
): Promise<OutboxRecord | null> {
  const row = await db.selectFrom("outbox").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toOutboxRecord(row) : null;
}

function toOutboxRecord(row: Selectable<OutboxTable>): OutboxRecord {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    payload: row.payload,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    nextAttemptAt: Number(row.next_attempt_at),
    settledAt: row.settled_at === null ? null : Number(row.settled_at),
    lastError: row.last_error,
  };
}

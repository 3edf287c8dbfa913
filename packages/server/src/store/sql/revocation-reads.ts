import { sql, type Kysely, type Selectable } from "kysely";
import type { RevocationCursor, RevocationPage, RevocationRecord } from "../store.js";
import type { Database, RevocationsTable } from "./schema.js";

/**
 * Reads the revocations a reader has not seen yet (`Store.listRevocations`). The reader must never
 * skip one: a skipped revocation leaves a logged-out or demoted token working on that instance
 * until it expires. "Rows with an id above the last one read" is only safe where ids are handed
 * out in commit order, so each database gets the cursor that is correct for it.
 */
export type RevocationRead = (
  db: Kysely<Database>,
  since: RevocationCursor | null,
  now: number,
) => Promise<RevocationPage>;

/**
 * SQLite: the cursor is the highest id read. SQLite runs one write transaction at a time (the
 * database file's write lock, taken by every connection and process, the CLI included, and held
 * until commit), and an id is assigned inside its writing transaction, so a transaction that
 * commits later also takes its ids later; AUTOINCREMENT never hands out an id again, even after
 * the purge deleted the highest row. A read that sees id N therefore sees every revocation below N.
 */
export const readByCommitOrder: RevocationRead = async (db, since, now) => {
  const afterId = since === null ? 0 : Number(since);
  if (!Number.isSafeInteger(afterId) || afterId < 0)
    throw new TypeError("Not a revocation cursor of this SQLite store");
  const rows = await db
    .selectFrom("revocations")
    .selectAll()
    .where("id", ">", afterId)
    .where("expires_at", ">", now)
    .orderBy("id")
    .execute();
  const revocations = rows.map(toRevocation);
  return { revocations, cursor: String(revocations.at(-1)?.id ?? afterId) };
};

/**
 * A snapshot that sees no transaction (xmin = xmax = 1, below the first normal transaction id 3):
 * the first read returns every live row.
 */
const SEES_NOTHING = "1:1:";

/**
 * PostgreSQL: ids come from a sequence at INSERT, so revocation N can commit after N+1 and an
 * id cursor skips N for ever (issue 12, item 1). Here the cursor is the read's own MVCC snapshot
 * (`pg_current_snapshot()`, as text). Each row carries the id of the transaction that wrote it
 * (`txid`, migration 0002); a read returns the rows its snapshot sees that the previous read's
 * snapshot did not (`pg_visible_in_snapshot`). Correct by construction, with no time window: a
 * row is returned by the first read whose snapshot sees it, because the snapshot before did not.
 * A transaction still open at read k is invisible to read k and listed as running in snapshot k,
 * so read k+1 (or a later one) returns its rows once it commits, however late.
 *
 * One statement: the rows and the snapshot it returns are the same snapshot (in READ COMMITTED
 * every statement takes its own). The left join keeps one row, with the snapshot, when no
 * revocation is new. `txid >= xmin` restates "not visible" (everything below xmin had finished)
 * so that the index on `txid` bounds the scan to transactions since the oldest one then running.
 */
export const readBySnapshot: RevocationRead = async (db, since, now) => {
  const previous = since ?? SEES_NOTHING;
  const { rows } = await sql<Selectable<RevocationsTable> & { cursor: string }>`
    select snapshot.taken::text as cursor, r.id, r.kind, r.subject, r.token_version,
           r.created_at, r.expires_at
    from (select pg_current_snapshot() as taken) as snapshot
    left join revocations as r
      on r.expires_at > ${now}
      and r.txid >= pg_snapshot_xmin(${previous}::pg_snapshot)
      and not pg_visible_in_snapshot(r.txid, ${previous}::pg_snapshot)
    order by r.id`.execute(db);
  const cursor = rows[0]?.cursor;
  if (cursor === undefined) throw new Error("The revocation read returned no snapshot");
  return {
    revocations: rows.filter((row) => row.id !== null).map(toRevocation),
    cursor,
  };
};

function toRevocation(row: Selectable<RevocationsTable>): RevocationRecord {
  return {
    id: Number(row.id),
    kind: row.kind,
    subject: row.subject,
    tokenVersion: row.token_version === null ? null : Number(row.token_version),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

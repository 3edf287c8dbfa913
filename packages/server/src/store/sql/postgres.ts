import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { SqlDialect } from "./dialect.js";
import { migrateToLatest } from "./migrations.js";
import { readBySnapshot } from "./revocation-reads.js";
import type { Database } from "./schema.js";
import { SqlStore } from "./sql-store.js";

// Errors that mean "the database is not reachable right now" rather than "this query is wrong":
// connection failures, server shutdown/restart (class 57P), connection exceptions (class 08),
// too many connections, and pg's own pool/connection timeouts.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "53300",
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|Connection ended|Cannot use a pool after calling end/i;

const postgresDialect: SqlDialect = {
  name: "postgres",
  groupCommit: false,
  oneStatementRotation: true,
  readRevocations: readBySnapshot,
  rowLocks: true,
  isUniqueViolation: (error) => (error as { code?: unknown } | null)?.code === "23505",
  isUnavailable: (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (
      typeof code === "string" &&
      (UNAVAILABLE_CODES.has(code) || code.startsWith("57P") || code.startsWith("08"))
    )
      return true;
    return error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message);
  },
};

/** BIGINT columns (times in ms) come back as numbers: every value Baton stores fits in 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID
      ? Number
      : (pg.types.getTypeParser(oid, format) as (
          value: string,
        ) => unknown)) as typeof pg.types.getTypeParser,
};

/**
 * Opens a PostgreSQL store: a connection pool (fails fast when the server is down, so requests
 * answer 503 instead of hanging) and migrations run at startup. Migrations are safe to run from
 * several instances at once (Kysely holds a lock table while migrating).
 */
export async function openPostgresStore(
  connectionString: string,
  options: { poolSize?: number } = {},
): Promise<SqlStore> {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    query_timeout: 10_000,
    types,
  });
  // A client losing its connection (database restart) emits "error": unhandled, that would crash
  // the process. The pending query fails on its own (answered 503) and the pool replaces the client.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db as Kysely<unknown>, "postgres");
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new SqlStore(db, postgresDialect);
}

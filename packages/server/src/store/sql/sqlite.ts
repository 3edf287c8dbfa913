import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { SqlDialect } from "./dialect.js";
import { migrateToLatest } from "./migrations.js";
import { readByCommitOrder } from "./revocation-reads.js";
import { preparePrivateDatabaseFile } from "./private-files.js";
import type { Database } from "./schema.js";
import { SqlStore } from "./sql-store.js";

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|CORRUPT|NOTADB)/;

const sqliteDialect: SqlDialect = {
  name: "sqlite",
  groupCommit: true,
  oneStatementRotation: false,
  readRevocations: readByCommitOrder,
  rowLocks: false,
  isUniqueViolation: (error) =>
    errorCode(error)?.startsWith("SQLITE_CONSTRAINT_UNIQUE") === true ||
    errorCode(error) === "SQLITE_CONSTRAINT_PRIMARYKEY",
  isUnavailable: (error) =>
    UNAVAILABLE_CODES.test(errorCode(error) ?? "") ||
    (error instanceof TypeError && /database connection is not open/i.test(error.message)),
};

/**
 * Opens (creating if needed) a SQLite database file, or `:memory:`, and migrates it.
 * WAL lets readers run beside the writer; `synchronous=NORMAL` is durable across process crashes.
 */
export async function openSqliteStore(path: string): Promise<SqlStore> {
  if (path !== ":memory:") preparePrivateDatabaseFile(path);
  const database = new BetterSqlite3(path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  database.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
  });
  await migrateToLatest(db as Kysely<unknown>, "sqlite");
  return new SqlStore(db, sqliteDialect);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Kysely prepares every query anew; compiling SQL is a good part of a refresh's CPU time. The
 * queries Baton runs have a small, fixed set of shapes, so prepared statements are kept by their
 * SQL text (bounded; better-sqlite3 runs one statement at a time, so reuse is safe).
 */
function withStatementCache(database: BetterSqlite3.Database, limit = 256) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string): BetterSqlite3.Statement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= limit) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

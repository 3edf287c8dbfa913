import { redactUrl } from "../logging.js";
import { loadOptional } from "../optional-package.js";
import type { Store } from "./store.js";
import { openSqliteStore } from "./sql/sqlite.js";

/**
 * Opens the store a `DATABASE_URL` names and brings its schema up to date:
 * `sqlite:<file>`, `sqlite::memory:`, or `postgres://user@host:port/database`.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  const sqlite = /^sqlite:(.+)$/.exec(databaseUrl);
  if (sqlite?.[1]) return openSqliteStore(sqlite[1]);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // pg is an optional peer dependency: loaded only for a PostgreSQL URL.
    const { openPostgresStore } = await loadOptional(
      "pg",
      "A postgres:// DATABASE_URL",
      () => import("./sql/postgres.js"),
    );
    return openPostgresStore(databaseUrl);
  }
  throw new Error(
    `Unsupported DATABASE_URL ${JSON.stringify(redactUrl(databaseUrl))}: use sqlite:<file> or postgres://…`,
  );
}

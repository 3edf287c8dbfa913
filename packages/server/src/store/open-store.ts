import type { Store } from "./store.js";
import { openSqliteStore } from "./sql/sqlite.js";

/** Opens the store a `DATABASE_URL` names: `sqlite:<file>` or `sqlite::memory:`. */
export async function openStore(databaseUrl: string): Promise<Store> {
  const sqlite = /^sqlite:(.+)$/.exec(databaseUrl);
  if (sqlite?.[1]) return openSqliteStore(sqlite[1]);
  throw new Error(
    `Unsupported DATABASE_URL ${JSON.stringify(databaseUrl.replace(/\/\/[^@]*@/, "//***@"))}: PostgreSQL support is not built yet; use sqlite:<file>`,
  );
}

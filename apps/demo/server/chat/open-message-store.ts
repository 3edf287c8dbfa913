import type { MessageStore } from "./message-store.js";

/**
 * Opens the message store beside Baton's data: the same SQLite file (`sqlite:<file>`), or the same
 * PostgreSQL database (`postgres://…`). Drivers load on use, like Baton's own.
 */
export async function openMessageStore(databaseUrl: string): Promise<MessageStore> {
  const sqlite = /^sqlite:(.+)$/.exec(databaseUrl);
  if (sqlite?.[1]) {
    const { openSqliteMessageStore } = await import("./sqlite-message-store.js");
    return openSqliteMessageStore(sqlite[1]);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { openPostgresMessageStore } = await import("./postgres-message-store.js");
    return openPostgresMessageStore(databaseUrl);
  }
  throw new Error("The demo keeps messages in SQLite (sqlite:<file>) or PostgreSQL (postgres://…)");
}

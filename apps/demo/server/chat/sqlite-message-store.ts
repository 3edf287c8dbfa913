import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { page, type MessageStore, type NewMessage, type StoredMessage } from "./message-store.js";

interface Row {
  id: number;
  conversation: string;
  sender_id: string;
  sender_name: string;
  recipient_id: string | null;
  body: string;
  created_at: number;
}

/**
 * Messages in the same SQLite file as Baton (a second connection, WAL mode like Baton's, so the
 * two writers wait for each other instead of failing). `:memory:` gives a private in-memory
 * database: an in-memory Baton cannot be shared across connections.
 */
export function openSqliteMessageStore(path: string): MessageStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(`
    CREATE TABLE IF NOT EXISTS demo_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      conversation TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      sender_name TEXT NOT NULL,
      recipient_id TEXT,
      body TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS demo_messages_by_conversation ON demo_messages (conversation, id);
  `);

  const insert = db.prepare<[string, string, string, string | null, string, number], Row>(
    `INSERT INTO demo_messages (conversation, sender_id, sender_name, recipient_id, body, created_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const newest = db.prepare<[string, number, number], Row>(
    `SELECT * FROM demo_messages WHERE conversation = ? AND id < ? ORDER BY id DESC LIMIT ?`,
  );
  const after = db.prepare<[string, number, number], Row>(
    `SELECT * FROM demo_messages WHERE conversation = ? AND id > ? ORDER BY id ASC LIMIT ?`,
  );

  return {
    add(message: NewMessage) {
      const row = insert.get(
        message.conversation,
        message.senderId,
        message.senderName,
        message.recipientId,
        message.body,
        message.createdAt,
      );
      return Promise.resolve(fromRow(row!));
    },
    list(conversation, query) {
      const rows =
        query.after !== undefined
          ? after.all(conversation, query.after, query.limit + 1)
          : newest.all(conversation, query.before ?? Number.MAX_SAFE_INTEGER, query.limit + 1);
      return Promise.resolve(page(rows.map(fromRow), query));
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

function fromRow(row: Row): StoredMessage {
  return {
    id: row.id,
    conversation: row.conversation,
    senderId: row.sender_id,
    senderName: row.sender_name,
    recipientId: row.recipient_id,
    body: row.body,
    createdAt: row.created_at,
  };
}

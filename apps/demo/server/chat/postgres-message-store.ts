import pg from "pg";
import { page, type MessageStore, type NewMessage, type StoredMessage } from "./message-store.js";

interface Row {
  id: string;
  conversation: string;
  sender_id: string;
  sender_name: string;
  recipient_id: string | null;
  body: string;
  created_at: string;
}

/** Messages in the PostgreSQL database Baton uses (same `DATABASE_URL`, a small pool of its own). */
export async function openPostgresMessageStore(url: string): Promise<MessageStore> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  await pool.query(`
    CREATE TABLE IF NOT EXISTS demo_messages (
      id BIGSERIAL PRIMARY KEY,
      conversation TEXT NOT NULL,
      sender_id TEXT NOT NULL,
      sender_name TEXT NOT NULL,
      recipient_id TEXT,
      body TEXT NOT NULL,
      created_at BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS demo_messages_by_conversation ON demo_messages (conversation, id);
  `);

  return {
    async add(message: NewMessage) {
      const { rows } = await pool.query<Row>(
        `INSERT INTO demo_messages (conversation, sender_id, sender_name, recipient_id, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          message.conversation,
          message.senderId,
          message.senderName,
          message.recipientId,
          message.body,
          message.createdAt,
        ],
      );
      return fromRow(rows[0]!);
    },
    async list(conversation, query) {
      const { rows } =
        query.after !== undefined
          ? await pool.query<Row>(
              `SELECT * FROM demo_messages WHERE conversation = $1 AND id > $2 ORDER BY id ASC LIMIT $3`,
              [conversation, query.after, query.limit + 1],
            )
          : await pool.query<Row>(
              `SELECT * FROM demo_messages WHERE conversation = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
              [conversation, query.before ?? Number.MAX_SAFE_INTEGER, query.limit + 1],
            );
      return page(rows.map(fromRow), query);
    },
    async close() {
      await pool.end();
    },
  };
}

// BIGINT/BIGSERIAL arrive as strings; every value here fits in 2^53.
function fromRow(row: Row): StoredMessage {
  return {
    id: Number(row.id),
    conversation: row.conversation,
    senderId: row.sender_id,
    senderName: row.sender_name,
    recipientId: row.recipient_id,
    body: row.body,
    createdAt: Number(row.created_at),
  };
}

/**
 * Where chat messages live: a table of the demo's own (`demo_messages`) in the database Baton
 * uses, so one file (or one PostgreSQL database) holds the accounts and the conversations.
 * Baton's migrations own Baton's tables; this table is created here, idempotently.
 */
export interface StoredMessage {
  id: number;
  /** `general`, or `dm:<smaller user id>:<larger user id>`. */
  conversation: string;
  senderId: string;
  /** The sender's display name when the message was sent (kept if the account goes away). */
  senderName: string;
  recipientId: string | null;
  body: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export type NewMessage = Omit<StoredMessage, "id">;

export interface HistoryQuery {
  /** Only messages with a smaller id (paging back). */
  before?: number | undefined;
  /** Only messages with a larger id (catching up after a reconnect). */
  after?: number | undefined;
  limit: number;
}

export interface MessageStore {
  add(message: NewMessage): Promise<StoredMessage>;
  /**
   * Oldest first. With `after`, the oldest `limit` messages after it; otherwise the newest
   * `limit` messages (before `before`, if given). Asks for one more than `limit` to tell the
   * caller whether more exist.
   */
  list(
    conversation: string,
    query: HistoryQuery,
  ): Promise<{ messages: StoredMessage[]; hasMore: boolean }>;
  close(): Promise<void>;
}

/** The conversation key of a direct message: the same for both participants. */
export function directConversation(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

/** Trims the look-ahead row and restores oldest-first order. */
export function page(
  rows: StoredMessage[],
  query: HistoryQuery,
): { messages: StoredMessage[]; hasMore: boolean } {
  const hasMore = rows.length > query.limit;
  const kept = rows.slice(0, query.limit);
  // Rows come newest first unless we were catching up (`after`), which reads forwards.
  return { messages: query.after === undefined ? kept.reverse() : kept, hasMore };
}

/**
 * The chat's wire contract, shared by the demo server and the SPA. Types and constants only: no
 * imports, nothing that runs on one side only, so the browser bundle never pulls in server code.
 *
 * Transport: REST under `/api/chat` for history and the user directory (Bearer token, like every
 * protected route), socket.io for live messages and presence (the access token in the handshake,
 * re-sent with `baton:reauth` after every refresh).
 */

/** The one shared room. Direct messages are addressed by the other user's id instead. */
export const GENERAL = "general";

/** Longest message body, in characters (after trimming). */
export const MAX_MESSAGE_LENGTH = 2000;

/** Largest page of history the server returns. */
export const MAX_HISTORY_PAGE = 100;

/** Socket events (client → server unless noted). */
export const CHAT_EVENTS = {
  /** `emitWithAck(send, SendRequest)` → {@link SendResult}. */
  send: "chat:send",
  /** Server → client: a new {@link ChatMessage} in a conversation this user can see. */
  message: "chat:message",
  /** Server → client: the full {@link PresenceUpdate}, on connect and whenever it changes. */
  presence: "chat:presence",
  /** `emit(typing, { to })`: this user is typing in a conversation (no ack). */
  typing: "chat:typing",
  /** Server → client: {@link TypingNotice}. */
  typingNotice: "chat:typing",
} as const;

export interface ChatUser {
  id: string;
  name: string;
}

export interface DirectoryUser extends ChatUser {
  online: boolean;
}

export interface ChatMessage {
  id: number;
  /** `null` in the general room; the recipient's user id in a direct message. */
  to: string | null;
  from: ChatUser;
  body: string;
  /** ISO 8601. */
  createdAt: string;
}

export interface SendRequest {
  /** Recipient user id for a direct message; omitted or `null` for the general room. */
  to?: string | null;
  body: string;
}

export type SendResult =
  | { ok: true; message: ChatMessage }
  | { ok: false; error: { code: ChatErrorCode; message: string } };

export type ChatErrorCode = "VALIDATION_FAILED" | "NOT_FOUND" | "RATE_LIMITED" | "INTERNAL";

export interface PresenceUpdate {
  /** Users with at least one live, authenticated socket. */
  online: ChatUser[];
}

export interface TypingNotice {
  from: ChatUser;
  /** `null` for the general room; for a direct message, the recipient (you). */
  to: string | null;
}

/** `GET /api/chat/users` */
export interface DirectoryResponse {
  users: DirectoryUser[];
}

/**
 * `GET /api/chat/messages?with=<userId>&before=<id>&after=<id>&limit=<n>`: oldest first. Without
 * `with`, the general room. `before` pages back through history; `after` catches up after a
 * reconnect.
 */
export interface HistoryResponse {
  messages: ChatMessage[];
  /** More (older, or with `after`: newer) messages exist beyond this page. */
  hasMore: boolean;
}

/** Which conversation a message belongs to, from the point of view of `me`. */
export function conversationOf(message: ChatMessage, me: string): string {
  if (message.to === null) return GENERAL;
  return message.from.id === me ? message.to : message.from.id;
}

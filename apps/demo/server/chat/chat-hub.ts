import type { Server, Socket } from "socket.io";
import { REAUTH_EVENT, type SocketAuthData } from "@baton/server/socket";
import { directConversation, type MessageStore, type StoredMessage } from "./message-store.js";
import {
  CHAT_EVENTS,
  GENERAL,
  MAX_MESSAGE_LENGTH,
  type ChatErrorCode,
  type ChatMessage,
  type ChatUser,
  type PresenceUpdate,
  type SendResult,
  type TypingNotice,
} from "./protocol.js";
import type { UserDirectory } from "./user-directory.js";

/** Messages one user may send per {@link RATE_WINDOW_MS}, across all their sockets. */
const RATE_LIMIT = 30;
const RATE_WINDOW_MS = 10_000;

/** What happens to sockets, for logs and tests (which measure how fast revoked sockets drop). */
export interface ChatSocketEvent {
  type: "connect" | "disconnect" | "reauth";
  socketId: string;
  userId: string;
  sessionId: string;
  /** socket.io's disconnect reason (`server namespace disconnect` when Baton ended it). */
  reason?: string;
  at: number;
}

export interface ChatHub {
  /** Users with at least one live socket. */
  online(): ChatUser[];
  isOnline(userId: string): boolean;
  /** Observe socket life; returns the unsubscribe function. */
  onSocketEvent(listener: (event: ChatSocketEvent) => void): () => void;
}

/**
 * The chat over socket.io: every socket has passed Baton's socket authentication (installed by
 * the caller with `io.use(batonSocketAuth(baton).middleware)`), so `socket.data.auth` says who it is.
 * Each socket joins the general room and a room of its user (for direct messages to any of that
 * user's tabs and devices). Presence is "has at least one live socket", so a user disappears
 * the moment Baton disconnects their last socket (logout, revocation, expired token).
 */
export function attachChat(
  io: Server,
  deps: { messages: MessageStore; directory: UserDirectory; now?: () => number },
): ChatHub {
  const now = deps.now ?? Date.now;
  const presence = new Map<string, { user: ChatUser; sockets: Set<string> }>();
  const sent = new Map<string, number[]>();
  const listeners = new Set<(event: ChatSocketEvent) => void>();

  const snapshot = (): PresenceUpdate => ({
    online: [...presence.values()]
      .map((entry) => entry.user)
      .sort((a, b) => a.name.localeCompare(b.name)),
  });

  function notify(event: Omit<ChatSocketEvent, "at">): void {
    const stamped = { ...event, at: now() };
    for (const listener of [...listeners]) listener(stamped);
  }

  function arrive(socket: Socket, user: ChatUser): void {
    const entry = presence.get(user.id);
    if (entry) {
      entry.sockets.add(socket.id);
      socket.emit(CHAT_EVENTS.presence, snapshot());
      return;
    }
    presence.set(user.id, { user, sockets: new Set([socket.id]) });
    io.emit(CHAT_EVENTS.presence, snapshot());
  }

  function leave(socket: Socket, userId: string): void {
    const entry = presence.get(userId);
    if (!entry?.sockets.delete(socket.id) || entry.sockets.size > 0) return;
    presence.delete(userId);
    io.emit(CHAT_EVENTS.presence, snapshot());
  }

  function withinRate(userId: string): boolean {
    const since = now() - RATE_WINDOW_MS;
    const recent = (sent.get(userId) ?? []).filter((at) => at > since);
    if (recent.length >= RATE_LIMIT) return false;
    recent.push(now());
    sent.set(userId, recent);
    return true;
  }

  async function send(auth: SocketAuthData, payload: unknown): Promise<SendResult> {
    const request = payload as { to?: unknown; body?: unknown } | null;
    if (typeof request !== "object" || request === null || typeof request.body !== "string") {
      return refuse("VALIDATION_FAILED", "Send { body, to? }");
    }
    const body = request.body.trim();
    if (body.length === 0) return refuse("VALIDATION_FAILED", "The message is empty");
    if (body.length > MAX_MESSAGE_LENGTH) {
      return refuse("VALIDATION_FAILED", `Messages are at most ${MAX_MESSAGE_LENGTH} characters`);
    }
    const to = request.to ?? null;
    if (to !== null && typeof to !== "string") return refuse("VALIDATION_FAILED", "Bad recipient");
    const [sender, recipient] = await Promise.all([
      deps.directory.find(auth.userId),
      to === null ? null : deps.directory.find(to),
    ]);
    if (sender === null) return refuse("NOT_FOUND", "Your account no longer exists");
    if (to !== null && recipient === null) return refuse("NOT_FOUND", "No such user");
    if (!withinRate(auth.userId)) {
      return refuse("RATE_LIMITED", "Slow down: too many messages in a short time");
    }

    const stored = await deps.messages.add({
      conversation: to === null ? GENERAL : directConversation(auth.userId, to),
      senderId: auth.userId,
      senderName: sender.name,
      recipientId: to,
      body,
      createdAt: now(),
    });
    const message = toWire(stored);
    if (to === null) io.to(GENERAL).emit(CHAT_EVENTS.message, message);
    else io.to(userRoom(to)).to(userRoom(auth.userId)).emit(CHAT_EVENTS.message, message);
    return { ok: true, message };
  }

  io.on("connection", (socket) => {
    const auth = authOf(socket);
    const who = { socketId: socket.id, userId: auth.userId, sessionId: auth.sessionId };
    notify({ type: "connect", ...who });

    // Handlers are attached before anything asynchronous, so no early event is missed.
    socket.on(CHAT_EVENTS.send, (payload: unknown, ack?: unknown) => {
      const reply = typeof ack === "function" ? (ack as (result: SendResult) => void) : undefined;
      send(authOf(socket), payload).then(
        (result) => reply?.(result),
        () => reply?.({ ok: false, error: { code: "INTERNAL", message: "Could not send" } }),
      );
    });
    socket.on(CHAT_EVENTS.typing, (payload: unknown) => {
      const user = presence.get(auth.userId)?.user;
      const to = (payload as { to?: unknown } | null)?.to ?? null;
      if (!user || (to !== null && typeof to !== "string")) return;
      const notice: TypingNotice = { from: user, to };
      if (to === null) socket.to(GENERAL).emit(CHAT_EVENTS.typingNotice, notice);
      else socket.to(userRoom(to)).emit(CHAT_EVENTS.typingNotice, notice);
    });
    // Baton's adapter answers the re-authentication itself; this only records that it happened.
    socket.on(REAUTH_EVENT, () => notify({ type: "reauth", ...who }));
    socket.on("disconnect", (reason) => {
      leave(socket, auth.userId);
      notify({ type: "disconnect", ...who, reason });
    });

    void socket.join([GENERAL, userRoom(auth.userId)]);
    deps.directory.find(auth.userId).then(
      (user) => {
        if (user && socket.connected) arrive(socket, user);
      },
      () => socket.disconnect(),
    );
  });

  return {
    online: () => snapshot().online,
    isOnline: (userId) => presence.has(userId),
    onSocketEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

export function toWire(message: StoredMessage): ChatMessage {
  return {
    id: message.id,
    to: message.recipientId,
    from: { id: message.senderId, name: message.senderName },
    body: message.body,
    createdAt: new Date(message.createdAt).toISOString(),
  };
}

/** Set by Baton's socket middleware (and replaced by each successful `baton:reauth`). */
function authOf(socket: Socket): SocketAuthData {
  return (socket.data as { auth: SocketAuthData }).auth;
}

function userRoom(userId: string): string {
  return `user:${userId}`;
}

function refuse(code: ChatErrorCode, message: string): SendResult {
  return { ok: false, error: { code, message } };
}

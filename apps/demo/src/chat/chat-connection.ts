import {
  REAUTH_EVENT,
  SESSION_ENDED_EVENT,
  SessionEndedError,
  type AuthClient,
  type ReauthAck,
  type TokenRefreshedEvent,
} from "@baton/client";
import { io, type Socket } from "socket.io-client";
import {
  CHAT_EVENTS,
  type ChatMessage,
  type PresenceUpdate,
  type SendRequest,
  type SendResult,
  type TypingNotice,
} from "../../server/chat/protocol.js";

// Baton's socket adapter (docs/api.md, "Sockets"): the client re-sends every new access token on
// the live socket, and the server says why before it disconnects a socket.

/** Codes after which a fresh access token (from a refresh) may get the socket back. */
const RENEWABLE = new Set(["TOKEN_EXPIRED", "TOKEN_INVALID", "TOKEN_MISSING", "SESSION_REVOKED"]);
const ACK_TIMEOUT_MS = 5_000;
const MAX_AUTH_RETRIES = 6;

/**
 * `reconnecting`: the session is fine but the socket is not (network, server restart); socket.io
 * or {@link ChatConnection} is retrying. `failed`: retries ran out; {@link ChatConnection.retry}.
 */
export type ConnectionState = "idle" | "connecting" | "connected" | "reconnecting" | "failed";

export interface ConnectionSnapshot {
  state: ConnectionState;
  /** socket.io's id of the live socket: it stays the same across re-authentications. */
  socketId: string | null;
  transport: string | null;
  connectedAt: number | null;
  /** Successful `baton:reauth`s of the current socket. */
  reauths: number;
  lastReauthAt: number | null;
  /** When the access token in use expires (local clock); the next refresh comes before. */
  tokenExpiresAt: number | null;
  /** The server's last word before it disconnected this user's socket. */
  ended: { code: string; message: string; at: number } | null;
  /** The browser believes it is offline. */
  offline: boolean;
}

export class ChatSendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ChatSendError";
  }
}

const INITIAL: ConnectionSnapshot = {
  state: "idle",
  socketId: null,
  transport: null,
  connectedAt: null,
  reauths: 0,
  lastReauthAt: null,
  tokenExpiresAt: null,
  ended: null,
  offline: false,
};

/**
 * The chat's socket.io connection, following the auth client's session:
 *  - connects while someone is signed in, with the access token in the handshake (`auth.token`,
 *    asked of the client at each (re)connect, so it is always a fresh one);
 *  - after every token refresh sends the new token on the live socket (`baton:reauth`), so the
 *    socket is never dropped for an expired token and keeps its id and its messages;
 *  - when the server ends the socket (`baton:session-ended`) or refuses a handshake, lets the auth
 *    client ask the server whether the session still exists: a refresh either gets a new token
 *    (reconnect) or ends the session with the server's code (the app shows the sign-in page);
 *  - network trouble is not a logout: socket.io reconnects by itself and the state says
 *    "reconnecting" meanwhile.
 */
export class ChatConnection {
  private socket: Socket | undefined;
  private userId: string | null = null;
  private snapshot: ConnectionSnapshot = INITIAL;
  private readonly listeners = new Set<() => void>();
  private readonly messageListeners = new Set<(message: ChatMessage) => void>();
  private readonly presenceListeners = new Set<(update: PresenceUpdate) => void>();
  private readonly typingListeners = new Set<(notice: TypingNotice) => void>();
  private readonly reconnectListeners = new Set<() => void>();
  private pendingToken: string | null = null;
  private reauthRunning = false;
  private endedCode: string | undefined;
  private authRetries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private everConnected = false;
  private holders = 0;
  private detach: () => void = () => {};

  constructor(
    private readonly auth: AuthClient,
    private readonly options: { path?: string } = {},
  ) {
    // Subscribed at once (not on start) so the token of the session restore is not missed.
    auth.on("tokenRefreshed", (event) => this.onTokenRefreshed(event));
  }

  getSnapshot = (): ConnectionSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  onMessage(listener: (message: ChatMessage) => void): () => void {
    return add(this.messageListeners, listener);
  }
  onPresence(listener: (update: PresenceUpdate) => void): () => void {
    return add(this.presenceListeners, listener);
  }
  onTyping(listener: (notice: TypingNotice) => void): () => void {
    return add(this.typingListeners, listener);
  }
  /** After the socket came back from a disconnection (time to catch up on missed messages). */
  onReconnect(listener: () => void): () => void {
    return add(this.reconnectListeners, listener);
  }

  /** Reference-counted, like the auth client's `start()`: StrictMode double mounts are harmless. */
  start(): () => void {
    this.holders += 1;
    if (this.holders === 1) this.attach();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders -= 1;
      if (this.holders === 0) this.detach();
    };
  }

  dispose(): void {
    this.holders = 0;
    this.detach();
  }

  async send(request: SendRequest): Promise<ChatMessage> {
    const socket = this.socket;
    if (!socket?.connected) {
      throw new ChatSendError(
        "OFFLINE",
        "Not connected right now; your message is kept. Try again in a moment.",
      );
    }
    let result: SendResult;
    try {
      result = (await socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck(CHAT_EVENTS.send, request)) as SendResult;
    } catch {
      throw new ChatSendError("TIMEOUT", "The server did not confirm the message. Try again.");
    }
    if (!result.ok) throw new ChatSendError(result.error.code, result.error.message);
    return result.message;
  }

  /** Tries again after the connection gave up (`failed`). */
  retry(): void {
    this.authRetries = 0;
    if (this.socket && !this.socket.connected) {
      this.set({ state: "reconnecting" });
      this.socket.connect();
    }
  }

  typing(to: string | null): void {
    if (this.socket?.connected) this.socket.volatile.emit(CHAT_EVENTS.typing, { to });
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  private attach(): void {
    const stopAuth = this.auth.subscribe(() => this.follow());
    const onNetwork = () => {
      this.set({ offline: !navigator.onLine });
      // Back online: do not wait for socket.io's back-off to expire.
      if (navigator.onLine && this.socket && !this.socket.connected && !this.socket.active) {
        this.socket.connect();
      }
    };
    window.addEventListener("online", onNetwork);
    window.addEventListener("offline", onNetwork);
    this.set({ offline: !navigator.onLine });
    this.detach = () => {
      stopAuth();
      window.removeEventListener("online", onNetwork);
      window.removeEventListener("offline", onNetwork);
      this.close();
      this.userId = null;
      this.detach = () => {};
    };
    this.follow();
  }

  /** Connects for the signed-in user; disconnects when nobody (or somebody else) is. */
  private follow(): void {
    const state = this.auth.getSnapshot();
    const userId = state.status === "authenticated" ? state.user.id : null;
    if (userId === this.userId) return;
    this.close();
    this.userId = userId;
    if (userId !== null) this.open();
  }

  private open(): void {
    const socket = io({
      path: this.options.path ?? "/socket.io",
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      // Asked at every (re)connect: a valid token, refreshed first if the held one expired.
      auth: (callback) => {
        this.auth.getAccessToken().then(
          (token) => callback({ token: token ?? "" }),
          () => callback({ token: "" }),
        );
      },
    });
    this.socket = socket;
    this.everConnected = false;

    socket.on("connect", () => {
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.authRetries = 0;
      this.endedCode = undefined;
      this.set({
        state: "connected",
        socketId: socket.id ?? null,
        transport: socket.io.engine.transport.name,
        connectedAt: Date.now(),
        reauths: 0,
        lastReauthAt: null,
      });
      socket.io.engine.once("upgrade", () => {
        if (this.socket === socket) this.set({ transport: socket.io.engine.transport.name });
      });
      if (reconnected) emit(this.reconnectListeners, undefined);
    });

    socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      this.set({ state: "reconnecting", socketId: null, connectedAt: null });
      // The server ended the socket: socket.io will not reconnect on its own.
      if (reason === "io server disconnect") this.recover(socket, this.endedCode);
    });

    socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
      this.set({ state: this.everConnected ? "reconnecting" : "connecting" });
      // `active` stays true for network failures (socket.io retries); false when Baton's
      // middleware refused the handshake.
      if (!socket.active) this.recover(socket, error.data?.code);
    });

    socket.on(SESSION_ENDED_EVENT, (reason: { code: string; message: string }) => {
      this.endedCode = reason.code;
      this.set({ ended: { ...reason, at: Date.now() } });
    });
    socket.on(CHAT_EVENTS.message, (message: ChatMessage) => emit(this.messageListeners, message));
    socket.on(CHAT_EVENTS.presence, (update: PresenceUpdate) =>
      emit(this.presenceListeners, update),
    );
    socket.on(CHAT_EVENTS.typingNotice, (notice: TypingNotice) =>
      emit(this.typingListeners, notice),
    );

    this.set({
      ...INITIAL,
      state: "connecting",
      offline: this.snapshot.offline,
      tokenExpiresAt: this.snapshot.tokenExpiresAt,
    });
    socket.connect();
  }

  private close(): void {
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.pendingToken = null;
    if (socket) {
      socket.removeAllListeners();
      socket.disconnect();
    }
    this.set({
      ...INITIAL,
      offline: this.snapshot.offline,
      ended: this.snapshot.ended,
      tokenExpiresAt: this.snapshot.tokenExpiresAt,
    });
  }

  /**
   * The server refused or ended the socket. A refresh tells whether the session lives on (then
   * reconnect with the new token) or is over (the auth client ends it with the server's code,
   * and `follow()` closes the socket). Bounded, with growing pauses: never a tight loop.
   */
  private recover(socket: Socket, code: string | undefined): void {
    clearTimeout(this.retryTimer);
    if (this.authRetries >= MAX_AUTH_RETRIES) {
      this.set({ state: "failed" });
      return;
    }
    const delay =
      this.authRetries === 0 ? 0 : Math.min(1_000 * 2 ** (this.authRetries - 1), 15_000);
    this.authRetries += 1;
    this.retryTimer = setTimeout(() => {
      const renew =
        code !== undefined && RENEWABLE.has(code) ? this.auth.refresh() : Promise.resolve();
      renew
        .catch((error: unknown) => {
          // A SessionEndedError means the auth state is now anonymous: follow() cleans up.
          if (!(error instanceof SessionEndedError)) return undefined;
          return "ended" as const;
        })
        .then((outcome) => {
          if (outcome === "ended" || this.socket !== socket || this.auth.status !== "authenticated")
            return;
          if (!socket.connected) socket.connect();
        })
        .catch(() => undefined);
    }, delay);
  }

  // ---- re-authentication ----------------------------------------------------------------------

  private onTokenRefreshed(event: TokenRefreshedEvent): void {
    this.set({ tokenExpiresAt: event.expiresAt });
    const socket = this.socket;
    if (!socket?.connected) return; // the next handshake asks for the current token anyway
    this.pendingToken = event.accessToken;
    if (!this.reauthRunning) void this.flushReauth(socket);
  }

  /** One `baton:reauth` at a time, always with the newest token: acks cannot arrive out of order. */
  private async flushReauth(socket: Socket): Promise<void> {
    this.reauthRunning = true;
    try {
      while (this.pendingToken !== null && this.socket === socket && socket.connected) {
        const token = this.pendingToken;
        this.pendingToken = null;
        let ack: ReauthAck;
        try {
          ack = (await socket
            .timeout(ACK_TIMEOUT_MS)
            .emitWithAck(REAUTH_EVENT, token)) as ReauthAck;
        } catch {
          // No answer: the connection is in trouble. socket.io will notice; the reconnect's
          // handshake carries the current token.
          return;
        }
        if (this.socket !== socket) return;
        if (ack.ok) {
          this.set({ reauths: this.snapshot.reauths + 1, lastReauthAt: Date.now() });
        } else if (ack.code === "FORBIDDEN") {
          // The token belongs to another account (signed in as someone else in another tab).
          socket.disconnect().connect();
        } else {
          this.recover(socket, ack.code);
        }
      }
    } finally {
      this.reauthRunning = false;
    }
  }

  private set(patch: Partial<ConnectionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of [...this.listeners]) listener();
  }
}

function add<T>(set: Set<T>, item: T): () => void {
  set.add(item);
  return () => void set.delete(item);
}

function emit<A>(listeners: Set<(arg: A) => void>, arg: A): void {
  for (const listener of [...listeners]) {
    try {
      listener(arg);
    } catch (error) {
      console.error(error);
    }
  }
}

import type { AuthClient } from "@baton/client";
import {
  conversationOf,
  GENERAL,
  MAX_HISTORY_PAGE,
  type ChatMessage,
  type ChatUser,
  type DirectoryResponse,
  type DirectoryUser,
  type HistoryResponse,
  type PresenceUpdate,
  type TypingNotice,
} from "../../server/chat/protocol.js";
import { apiJson } from "../lib/api.js";
import type { ChatConnection } from "./chat-connection.js";

/** How long "… is typing" stays up after the last notice. */
const TYPING_MS = 4_000;
const PAGE = 50;

export interface ConversationState {
  messages: readonly ChatMessage[];
  status: "idle" | "loading" | "ready" | "error";
  /** Older messages exist on the server. */
  hasMore: boolean;
  loadingOlder: boolean;
}

export interface ChatState {
  /** Everyone with an account (for direct messages), with presence. */
  users: readonly DirectoryUser[];
  directory: "idle" | "loading" | "ready" | "error";
  online: readonly ChatUser[];
  /** By conversation key: {@link GENERAL} or the other user's id. */
  conversations: Readonly<Record<string, ConversationState>>;
  unread: Readonly<Record<string, number>>;
  typing: Readonly<Record<string, readonly { user: ChatUser; until: number }[]>>;
  /** The conversation on screen, if any. */
  active: string | null;
}

const EMPTY: ChatState = {
  users: [],
  directory: "idle",
  online: [],
  conversations: {},
  unread: {},
  typing: {},
  active: null,
};

export const IDLE_CONVERSATION: ConversationState = {
  messages: [],
  status: "idle",
  hasMore: false,
  loadingOlder: false,
};

/**
 * What the chat shows: history (loaded over REST, then kept current from the socket), the
 * directory with presence, unread counts and typing notices. Framework-free; React reads it
 * through `useSyncExternalStore`. A reconnect catches up on what was missed meanwhile, so a
 * network blip loses no message.
 */
export class ChatStore {
  private state: ChatState = EMPTY;
  private readonly listeners = new Set<() => void>();
  private me: string | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private holders = 0;
  private detach: () => void = () => {};

  constructor(
    private readonly auth: AuthClient,
    private readonly connection: ChatConnection,
  ) {}

  getSnapshot = (): ChatState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

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

  /** Marks `key` as on screen (read), loading its history the first time. `null`: none. */
  setActive(key: string | null): void {
    this.update((state) => ({
      ...state,
      active: key,
      unread: key === null ? state.unread : { ...state.unread, [key]: 0 },
    }));
    // A failure shows as the conversation's `error` status (the page says so).
    if (key !== null) this.ensureLoaded(key).catch(() => undefined);
  }

  conversation(key: string): ConversationState {
    return this.state.conversations[key] ?? IDLE_CONVERSATION;
  }

  async ensureLoaded(key: string): Promise<void> {
    const current = this.conversation(key);
    if (current.status === "loading" || current.status === "ready") return;
    this.patchConversation(key, { status: "loading" });
    try {
      const page = await this.history(key, {});
      this.patchConversation(key, {
        status: "ready",
        messages: merge(this.conversation(key).messages, page.messages),
        hasMore: page.hasMore,
      });
    } catch (error) {
      this.patchConversation(key, { status: "error" });
      throw error;
    }
  }

  async loadOlder(key: string): Promise<void> {
    const current = this.conversation(key);
    const oldest = current.messages[0];
    if (!oldest || !current.hasMore || current.loadingOlder) return;
    this.patchConversation(key, { loadingOlder: true });
    try {
      const page = await this.history(key, { before: oldest.id });
      this.patchConversation(key, {
        messages: merge(this.conversation(key).messages, page.messages),
        hasMore: page.hasMore,
      });
    } finally {
      this.patchConversation(key, { loadingOlder: false });
    }
  }

  async send(key: string, body: string): Promise<void> {
    const message = await this.connection.send({ to: key === GENERAL ? null : key, body });
    this.receive(message);
  }

  typing(key: string): void {
    this.connection.typing(key === GENERAL ? null : key);
  }

  async loadDirectory(): Promise<void> {
    if (this.state.directory === "idle")
      this.update((state) => ({ ...state, directory: "loading" }));
    try {
      const { users } = await apiJson<DirectoryResponse>(this.auth, "/api/chat/users");
      this.update((state) => ({
        ...state,
        users: withPresence(users, state.online),
        directory: "ready",
      }));
    } catch (error) {
      this.update((state) => ({
        ...state,
        directory: state.directory === "ready" ? "ready" : "error",
      }));
      throw error;
    }
  }

  // ---- events ------------------------------------------------------------------------------

  private attach(): void {
    const stops = [
      this.auth.subscribe(() => this.followUser()),
      this.connection.onMessage((message) => this.receive(message)),
      this.connection.onPresence((update) => this.presence(update)),
      this.connection.onTyping((notice) => this.typingNotice(notice)),
      this.connection.onReconnect(() => void this.catchUp()),
    ];
    const onVisible = () => {
      if (document.visibilityState === "visible" && this.state.active !== null) {
        this.setActive(this.state.active);
      }
    };
    document.addEventListener("visibilitychange", onVisible);
    this.detach = () => {
      for (const stop of stops) stop();
      document.removeEventListener("visibilitychange", onVisible);
      clearTimeout(this.typingTimer);
      this.detach = () => {};
    };
    this.followUser();
  }

  /** Another account (or none) means other conversations: start from scratch. */
  private followUser(): void {
    const state = this.auth.getSnapshot();
    const me = state.status === "authenticated" ? state.user.id : null;
    if (me === this.me) return;
    this.me = me;
    this.update(() => ({ ...EMPTY, active: this.state.active }));
    if (me !== null) this.loadDirectory().catch(() => undefined);
  }

  private receive(message: ChatMessage): void {
    if (this.me === null) return;
    const key = conversationOf(message, this.me);
    const current = this.state.conversations[key];
    const mine = message.from.id === this.me;
    const onScreen = this.state.active === key && document.visibilityState === "visible";
    this.update((state) => ({
      ...state,
      // An unloaded conversation gets the message with its history when it is opened.
      conversations:
        current && current.status !== "idle"
          ? {
              ...state.conversations,
              [key]: { ...current, messages: merge(current.messages, [message]) },
            }
          : state.conversations,
      unread:
        mine || onScreen || current?.messages.some((known) => known.id === message.id)
          ? state.unread
          : { ...state.unread, [key]: (state.unread[key] ?? 0) + 1 },
      typing: {
        ...state.typing,
        [key]: (state.typing[key] ?? []).filter((entry) => entry.user.id !== message.from.id),
      },
    }));
    const known = this.state.users.some((user) => user.id === message.from.id);
    if (this.state.directory === "ready" && !known) {
      this.loadDirectory().catch(() => undefined);
    }
  }

  private presence(update: PresenceUpdate): void {
    this.update((state) => ({
      ...state,
      online: update.online,
      users: withPresence(state.users, update.online),
    }));
    // Somebody new signed up and came online: they belong in the directory.
    const newcomer = update.online.some(
      (user) => !this.state.users.some((known) => known.id === user.id),
    );
    if (this.state.directory === "ready" && newcomer) {
      this.loadDirectory().catch(() => undefined);
    }
  }

  private typingNotice(notice: TypingNotice): void {
    const key = notice.to === null ? GENERAL : notice.from.id;
    const until = Date.now() + TYPING_MS;
    this.update((state) => ({
      ...state,
      typing: {
        ...state.typing,
        [key]: [
          ...(state.typing[key] ?? []).filter((entry) => entry.user.id !== notice.from.id),
          { user: notice.from, until },
        ],
      },
    }));
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.expireTyping(), TYPING_MS + 50);
  }

  private expireTyping(): void {
    const now = Date.now();
    const typing: Record<string, { user: ChatUser; until: number }[]> = {};
    let next = Infinity;
    for (const [key, entries] of Object.entries(this.state.typing)) {
      const live = entries.filter((entry) => entry.until > now);
      if (live.length > 0) typing[key] = live;
      for (const entry of live) next = Math.min(next, entry.until);
    }
    this.update((state) => ({ ...state, typing }));
    if (next !== Infinity)
      this.typingTimer = setTimeout(() => this.expireTyping(), next - now + 50);
  }

  /** After a disconnection: fetch what each open conversation missed, and the directory. */
  private async catchUp(): Promise<void> {
    this.loadDirectory().catch(() => undefined);
    for (const [key, conversation] of Object.entries(this.state.conversations)) {
      if (conversation.status !== "ready") continue;
      let last = conversation.messages.at(-1)?.id ?? 0;
      for (let round = 0; round < 10; round++) {
        const page = await this.history(key, { after: last }).catch(() => undefined);
        if (!page) break;
        for (const message of page.messages) this.receive(message);
        last = page.messages.at(-1)?.id ?? last;
        if (!page.hasMore) break;
      }
    }
  }

  private history(
    key: string,
    range: { before?: number; after?: number },
  ): Promise<HistoryResponse> {
    const query = new URLSearchParams({
      limit: String(range.after !== undefined ? MAX_HISTORY_PAGE : PAGE),
    });
    if (key !== GENERAL) query.set("with", key);
    if (range.before !== undefined) query.set("before", String(range.before));
    if (range.after !== undefined) query.set("after", String(range.after));
    return apiJson<HistoryResponse>(this.auth, `/api/chat/messages?${query.toString()}`);
  }

  private patchConversation(key: string, patch: Partial<ConversationState>): void {
    this.update((state) => ({
      ...state,
      conversations: {
        ...state.conversations,
        [key]: { ...(state.conversations[key] ?? IDLE_CONVERSATION), ...patch },
      },
    }));
  }

  private update(change: (state: ChatState) => ChatState): void {
    this.state = change(this.state);
    for (const listener of [...this.listeners]) listener();
  }
}

/** Union by id, oldest first. */
function merge(known: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  const byId = new Map<number, ChatMessage>();
  for (const message of known) byId.set(message.id, message);
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function withPresence(users: readonly ChatUser[], online: readonly ChatUser[]): DirectoryUser[] {
  const ids = new Set(online.map((user) => user.id));
  return users.map((user) => ({ ...user, online: ids.has(user.id) }));
}

import {
  Fragment,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import { useAuth } from "@baton/client/react";
import { GENERAL, MAX_MESSAGE_LENGTH, type ChatMessage } from "../../server/chat/protocol.js";
import { useChat, useChatState, useConnection } from "../chat/chat-context.js";
import { IDLE_CONVERSATION } from "../chat/chat-store.js";
import { Icon } from "../components/icons.js";
import { Avatar, Button, EmptyState, Spinner } from "../components/ui.js";
import { useActions } from "../hooks/use-action.js";
import { describeError } from "../lib/errors.js";
import { formatDay, formatTime, sameDay } from "../lib/format.js";
import { Link } from "../router.js";
import { useToasts } from "../toasts.js";

/** Messages from one sender closer together than this share one header. */
const GROUP_MS = 5 * 60_000;
const TYPING_THROTTLE_MS = 2_500;

/** `/chat` is the general room; `/chat/<userId>` a direct conversation with that user. */
export function ChatPage({ peerId }: { peerId: string | null }) {
  const key = peerId ?? GENERAL;
  const { store } = useChat();
  const state = useChatState();
  const { user: me } = useAuth();
  const toasts = useToasts();
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const live = useConnection().state === "connected";

  useEffect(() => {
    store.setActive(key);
    setSidebarOpen(false);
    return () => store.setActive(null);
  }, [store, key]);

  const conversation = state.conversations[key] ?? IDLE_CONVERSATION;
  useEffect(() => {
    if (conversation.status === "error")
      toasts.error("Could not load the messages. Check your connection and try again.");
  }, [conversation.status, toasts]);

  const peer = peerId ? state.users.find((user) => user.id === peerId) : undefined;
  const unknownPeer = peerId !== null && state.directory === "ready" && !peer;
  const title = peerId === null ? "general" : (peer?.name ?? "…");
  const others = state.users
    .filter((user) => user.id !== me?.id)
    .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));

  return (
    <div
      className={`chat${sidebarOpen ? " sidebar-open" : ""}`}
      onKeyDown={(event) => {
        if (event.key === "Escape" && sidebarOpen) setSidebarOpen(false);
      }}
    >
      <aside className="chat-sidebar" id="chat-sidebar" aria-label="Conversations">
        <section className="sidebar-section">
          <h2 className="sidebar-heading">Channels</h2>
          <ul className="conv-list">
            <li>
              <Link to="/chat" className="conv-link">
                <span className="conv-hash" aria-hidden="true">
                  <Icon name="hash" />
                </span>
                <span className="conv-name">general</span>
                <Unread count={state.unread[GENERAL]} />
              </Link>
            </li>
          </ul>
        </section>
        <section className="sidebar-section">
          <h2 className="sidebar-heading">Direct messages</h2>
          {state.directory === "loading" && <Spinner label="Loading people" />}
          {state.directory === "ready" && others.length === 0 && (
            <p className="sidebar-empty">
              Nobody else yet. Open a private window and sign up a second user.
            </p>
          )}
          <ul className="conv-list">
            {others.map((user) => (
              <li key={user.id}>
                <Link to={`/chat/${user.id}`} matchPrefix className="conv-link">
                  <Avatar id={user.id} name={user.name} size="sm" online={user.online} />
                  <span className="conv-name">{user.name}</span>
                  <span className="visually-hidden">{user.online ? "(online)" : "(offline)"}</span>
                  <Unread count={state.unread[user.id]} />
                </Link>
              </li>
            ))}
          </ul>
        </section>
        <section className="sidebar-section" aria-labelledby="online-heading">
          <h2 className="sidebar-heading" id="online-heading">
            Online now <span className="count">{state.online.length}</span>
            {!live && <span className="stale">last known</span>}
          </h2>
          <ul className={`online-list${live ? "" : " is-stale"}`} data-testid="online-users">
            {state.online.map((user) => (
              <li key={user.id}>
                <span className="presence-dot is-online" aria-hidden="true" />
                {user.name}
                {user.id === me?.id && <span className="muted"> (you)</span>}
              </li>
            ))}
          </ul>
        </section>
      </aside>

      {sidebarOpen && (
        <div
          className="sidebar-backdrop"
          aria-hidden="true"
          onClick={() => setSidebarOpen(false)}
        />
      )}
      <section className="chat-main" aria-labelledby="conversation-title">
        <header className="chat-header">
          <button
            type="button"
            className="icon-button sidebar-toggle"
            aria-controls="chat-sidebar"
            aria-expanded={sidebarOpen}
            onClick={() => setSidebarOpen((open) => !open)}
          >
            <Icon name="menu" label="Conversations" />
          </button>
          {peerId === null ? (
            <span className="conv-hash conv-hash-lg" aria-hidden="true">
              <Icon name="hash" />
            </span>
          ) : (
            peer && <Avatar id={peer.id} name={peer.name} online={peer.online} />
          )}
          <div className="chat-title">
            <h1 id="conversation-title">{title}</h1>
            <p className="muted">
              {peerId === null
                ? "Everyone who has an account. Messages are kept, so a reload shows them again."
                : peer
                  ? `${peer.online ? "Online" : "Offline"} · only the two of you can read this`
                  : ""}
            </p>
          </div>
        </header>

        {unknownPeer ? (
          <div className="messages">
            <EmptyState icon="users" title="No such person">
              <p>
                This conversation does not exist. <Link to="/chat">Back to #general</Link>
              </p>
            </EmptyState>
          </div>
        ) : (
          <>
            <MessageList conversationKey={key} meId={me?.id ?? ""} peerName={peer?.name} />
            <TypingLine conversationKey={key} />
            <Composer
              conversationKey={key}
              placeholder={peerId === null ? "Message #general" : `Message ${title}`}
            />
          </>
        )}
      </section>
    </div>
  );
}

function Unread({ count }: { count: number | undefined }) {
  if (!count) return null;
  return (
    <span className="badge badge-accent" aria-label={`${count} unread`}>
      {count > 99 ? "99+" : count}
    </span>
  );
}

function MessageList({
  conversationKey,
  meId,
  peerName,
}: {
  conversationKey: string;
  meId: string;
  peerName: string | undefined;
}) {
  const { store } = useChat();
  const conversation = useChatState().conversations[conversationKey] ?? IDLE_CONVERSATION;
  const toasts = useToasts();
  const list = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const previousHeight = useRef<number | null>(null);
  const messages = conversation.messages;

  // New conversation: start at the bottom.
  useLayoutEffect(() => {
    stickToBottom.current = true;
  }, [conversationKey]);

  useLayoutEffect(() => {
    const element = list.current;
    if (!element) return;
    if (previousHeight.current !== null) {
      // Older messages were prepended: keep what the reader was looking at in place.
      element.scrollTop += element.scrollHeight - previousHeight.current;
      previousHeight.current = null;
    } else if (stickToBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [messages]);

  const onScroll = () => {
    const element = list.current;
    if (!element) return;
    stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
  };

  const loadOlder = () => {
    previousHeight.current = list.current?.scrollHeight ?? null;
    store.loadOlder(conversationKey).catch((error: unknown) => {
      previousHeight.current = null;
      toasts.error(describeError(error));
    });
  };

  return (
    <div
      className="messages"
      ref={list}
      onScroll={onScroll}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      data-testid="messages"
    >
      {conversation.hasMore && (
        <div className="load-older">
          <Button
            variant="secondary"
            size="sm"
            busy={conversation.loadingOlder}
            onClick={loadOlder}
          >
            Load older messages
          </Button>
        </div>
      )}
      {conversation.status === "loading" && messages.length === 0 && (
        <div className="messages-placeholder">
          <Spinner label="Loading messages" />
        </div>
      )}
      {conversation.status === "error" && messages.length === 0 && (
        <EmptyState icon="alert" title="Could not load the messages">
          <Button variant="secondary" onClick={() => store.setActive(conversationKey)}>
            Try again
          </Button>
        </EmptyState>
      )}
      {conversation.status === "ready" && messages.length === 0 && (
        <EmptyState icon="chat" title={peerName ? `Say hello to ${peerName}` : "No messages yet"}>
          <p>
            {peerName
              ? "Direct messages are private to the two of you."
              : "Be the first to say something."}
          </p>
        </EmptyState>
      )}
      {messages.map((message, index) => {
        const previous = messages[index - 1];
        const newDay = !previous || !sameDay(previous.createdAt, message.createdAt);
        const grouped =
          !newDay &&
          previous !== undefined &&
          previous.from.id === message.from.id &&
          Date.parse(message.createdAt) - Date.parse(previous.createdAt) < GROUP_MS;
        return (
          <Fragment key={message.id}>
            {newDay && (
              <div className="day-divider" role="separator">
                <span>{formatDay(message.createdAt)}</span>
              </div>
            )}
            <MessageItem message={message} grouped={grouped} mine={message.from.id === meId} />
          </Fragment>
        );
      })}
    </div>
  );
}

function MessageItem({
  message,
  grouped,
  mine,
}: {
  message: ChatMessage;
  grouped: boolean;
  mine: boolean;
}) {
  return (
    <article
      className={`message${grouped ? " is-grouped" : ""}${mine ? " is-mine" : ""}`}
      data-message-id={message.id}
    >
      {grouped ? (
        <time className="message-time-hover" dateTime={message.createdAt}>
          {formatTime(message.createdAt)}
        </time>
      ) : (
        <Avatar id={message.from.id} name={message.from.name} />
      )}
      <div className="message-content">
        {!grouped && (
          <header className="message-meta">
            <span className="message-author">{message.from.name}</span>
            {mine && <span className="badge badge-muted">you</span>}
            <time dateTime={message.createdAt}>{formatTime(message.createdAt)}</time>
          </header>
        )}
        <p className="message-body">{message.body}</p>
      </div>
    </article>
  );
}

function TypingLine({ conversationKey }: { conversationKey: string }) {
  const typing = useChatState().typing[conversationKey] ?? [];
  const names = typing.map((entry) => entry.user.name);
  const text =
    names.length === 0
      ? ""
      : names.length === 1
        ? `${names[0]} is typing…`
        : names.length === 2
          ? `${names[0]} and ${names[1]} are typing…`
          : "Several people are typing…";
  return (
    <p className="typing-line" aria-live="polite">
      {text}
    </p>
  );
}

function Composer({
  conversationKey,
  placeholder,
}: {
  conversationKey: string;
  placeholder: string;
}) {
  const { store } = useChat();
  const connection = useConnection();
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const { busy, run } = useActions();
  const sending = busy !== null;
  const lastTyping = useRef(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const text = drafts[conversationKey] ?? "";
  const length = text.trim().length;
  const tooLong = length > MAX_MESSAGE_LENGTH;

  useEffect(() => {
    input.current?.focus();
  }, [conversationKey]);

  const setText = (value: string) => setDrafts((all) => ({ ...all, [conversationKey]: value }));

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (length === 0 || tooLong || sending) return;
    await run(true, async () => {
      await store.send(conversationKey, text);
      setText("");
      lastTyping.current = 0;
    });
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const onChange = (value: string) => {
    setText(value);
    const now = Date.now();
    if (value.trim() && now - lastTyping.current > TYPING_THROTTLE_MS) {
      lastTyping.current = now;
      store.typing(conversationKey);
    }
  };

  return (
    <form className="composer" onSubmit={(event) => void send(event)}>
      <label htmlFor="composer-input" className="visually-hidden">
        {placeholder}
      </label>
      <textarea
        id="composer-input"
        ref={input}
        className="input composer-input"
        rows={1}
        placeholder={placeholder}
        value={text}
        maxLength={MAX_MESSAGE_LENGTH + 200}
        aria-describedby="composer-help"
        aria-invalid={tooLong || undefined}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <Button
        type="submit"
        className="composer-send"
        busy={sending}
        disabled={length === 0 || tooLong}
        aria-label="Send message"
      >
        <Icon name="send" />
      </Button>
      <p id="composer-help" className="composer-help">
        {connection.state !== "connected" && connection.state !== "idle" ? (
          <span className="warn-text">
            Reconnecting… your session is fine; sending resumes when the connection is back.
          </span>
        ) : length > MAX_MESSAGE_LENGTH - 200 ? (
          <span className={tooLong ? "error-text" : undefined}>
            {length} / {MAX_MESSAGE_LENGTH}
          </span>
        ) : (
          <span>
            <kbd>Enter</kbd> to send, <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
          </span>
        )}
      </p>
    </form>
  );
}

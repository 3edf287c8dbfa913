import { useEffect, type ReactNode } from "react";
import { useAuth } from "@baton/client/react";
import { useChat, useChatState, useConnection } from "../chat/chat-context.js";
import { Link } from "../router.js";
import { useToasts } from "../toasts.js";
import { VerifyEmailBanner } from "../pages/email-pages.js";
import { Icon, Logo } from "./icons.js";
import { Avatar } from "./ui.js";

/**
 * The quiet connection indicator: "Live" when the socket is up; "Reconnecting…" while the
 * session is fine but the socket is not (network, server restart). Signed-out is never shown
 * here: that is the sign-in page. The data attributes let tests follow the socket.
 */
export function ConnectionPill() {
  const connection = useConnection();
  const { connection: chat } = useChat();
  if (connection.state === "idle") return null;
  // The browser knows about a lost network before the socket does: say so at once.
  const { tone, text } = connection.offline
    ? { tone: "warn", text: "Offline · retrying" }
    : connection.state === "connected"
      ? { tone: "ok", text: "Live" }
      : connection.state === "connecting"
        ? { tone: "muted", text: "Connecting…" }
        : connection.state === "failed"
          ? { tone: "danger", text: "Disconnected" }
          : { tone: "warn", text: "Reconnecting…" };
  const title =
    connection.state === "connected" && !connection.offline
      ? `Real-time connection up (socket ${connection.socketId ?? "?"}, ${connection.transport ?? "?"}); re-authenticated ${connection.reauths}×`
      : "The chat connection is down; your session is fine and it is retrying";
  return (
    <span
      className={`pill pill-${tone}`}
      role="status"
      title={title}
      data-testid="connection"
      data-state={connection.state}
      data-socket-id={connection.socketId ?? ""}
      data-reauths={connection.reauths}
    >
      <span className="pill-dot" aria-hidden="true" />
      {text}
      {connection.state === "failed" && (
        <button type="button" className="pill-action" onClick={() => chat.retry()}>
          Retry
        </button>
      )}
    </span>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const { user, hasRole, logout } = useAuth();
  const { unread } = useChatState();
  const toasts = useToasts();
  const totalUnread = Object.values(unread).reduce((sum, count) => sum + count, 0);
  const ended = useConnection().ended;

  // The server ended this socket (`baton:session-ended`). A revoked session shows its reason on
  // the sign-in page; anything else (new roles, a token that lapsed while the laptop slept) is
  // renewed with a fresh token, and said so quietly.
  useEffect(() => {
    if (ended && ended.code !== "SESSION_REVOKED") {
      toasts.info(`${ended.message.replace(/[.;].*$/, "")}: the connection was renewed.`);
    }
  }, [ended, toasts]);

  const signOut = async () => {
    const { serverConfirmed } = await logout().catch(() => ({ serverConfirmed: false }));
    if (!serverConfirmed) {
      toasts.info(
        "Signed out here. The server could not be reached to end the session; it will expire on its own.",
      );
    }
  };

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/chat" className="brand" aria-label="Baton chat, home">
          <Logo className="brand-mark" />
          <span className="brand-name">Baton</span>
          <span className="brand-tag">chat demo</span>
        </Link>
        <nav className="nav" aria-label="Main">
          <Link to="/chat" matchPrefix className="nav-link">
            <Icon name="chat" />
            <span>Chat</span>
            {totalUnread > 0 && (
              <span className="badge badge-accent" aria-label={`${totalUnread} unread`}>
                {totalUnread > 99 ? "99+" : totalUnread}
              </span>
            )}
          </Link>
          <Link to="/security" className="nav-link">
            <Icon name="shield" />
            <span>Security</span>
          </Link>
          {hasRole("admin") && (
            <Link to="/admin" className="nav-link">
              <Icon name="users" />
              <span>Admin</span>
            </Link>
          )}
        </nav>
        <div className="topbar-end">
          <ConnectionPill />
          {user && (
            <span className="whoami" title={user.email}>
              <Avatar id={user.id} name={user.name ?? user.email} size="sm" />
              <span className="whoami-name">{user.name ?? user.email}</span>
            </span>
          )}
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            aria-label="Sign out"
            onClick={() => void signOut()}
          >
            <Icon name="logout" />
            <span className="hide-narrow">Sign out</span>
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <VerifyEmailBanner />
        {children}
      </main>
    </div>
  );
}

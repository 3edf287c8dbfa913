import { useEffect, useState, type ReactNode } from "react";
import { useAuth } from "@baton/client/react";
import { useChat } from "./chat/chat-context.js";
import { AppShell } from "./components/app-shell.js";
import { Logo } from "./components/icons.js";
import { EmptyState, Spinner } from "./components/ui.js";
import { sessionEndMessage } from "./lib/errors.js";
import { AdminPage } from "./pages/admin-page.js";
import { LoginPage, SignupPage } from "./pages/auth-pages.js";
import { DevInboxPage } from "./pages/dev-inbox-page.js";
import { UndoEmailChangePage, VerifyEmailPage } from "./pages/email-pages.js";
import { ForgotPasswordPage, ResetPasswordPage } from "./pages/password-pages.js";
import { ChatPage } from "./pages/chat-page.js";
import { NotMePage } from "./pages/not-me-page.js";
import { SecurityPage } from "./pages/security-page.js";
import { Link, Redirect, useLocation } from "./router.js";
import { useToasts } from "./toasts.js";

const PUBLIC_PATHS = new Set(["/login", "/signup", "/forgot-password"]);
/**
 * Pages that work whoever is signed in here: those opened from a mailed link (the link is the
 * credential, and it may open in a browser signed in to another account), and the development inbox.
 */
const OPEN_PAGES: Record<string, () => ReactNode> = {
  "/reset-password": ResetPasswordPage,
  "/verify-email": VerifyEmailPage,
  "/undo-email-change": UndoEmailChangePage,
  "/not-me": NotMePage,
  "/dev/inbox": DevInboxPage,
};
const TITLES: Record<string, string> = {
  "/login": "Sign in",
  "/signup": "Create account",
  "/forgot-password": "Forgot password",
  "/reset-password": "New password",
  "/verify-email": "Confirm email",
  "/undo-email-change": "Undo email change",
  "/dev/inbox": "Development inbox",
  "/security": "Security",
  "/admin": "Admin",
  "/not-me": "This wasn't me",
};

export function App() {
  const { status } = useAuth();
  const { path, query } = useLocation();
  const notice = useSignedOutNotice();
  useUnreadTitle(path);

  if (status === "loading") return <Splash />;
  const OpenPage = OPEN_PAGES[path];
  if (OpenPage) return <OpenPage />;

  if (PUBLIC_PATHS.has(path)) {
    if (status === "authenticated") return <Redirect to={safeNext(query.get("next"))} />;
    if (path === "/forgot-password") return <ForgotPasswordPage />;
    return path === "/login" ? <LoginPage notice={notice} /> : <SignupPage />;
  }
  if (status === "anonymous") {
    const next = path === "/" || path === "/chat" ? "" : `?next=${encodeURIComponent(path)}`;
    return <Redirect to={`/login${next}`} />;
  }
  return <AppShell>{route(path)}</AppShell>;
}

function route(path: string) {
  if (path === "/") return <Redirect to="/chat" />;
  if (path === "/chat") return <ChatPage peerId={null} />;
  const direct = /^\/chat\/([^/]+)$/.exec(path);
  if (direct) return <ChatPage peerId={decodeURIComponent(direct[1]!)} />;
  if (path === "/security") return <SecurityPage />;
  if (path === "/admin") return <AdminPage />;
  return (
    <div className="page page-narrow">
      <EmptyState icon="info" title="Page not found">
        <h1 className="visually-hidden">Not found</h1>
        <p>
          Nothing lives at <code>{path}</code>. <Link to="/chat">Go to the chat</Link>
        </p>
      </EmptyState>
    </div>
  );
}

function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/chat";
}

/**
 * Why the last session ended, for the sign-in page: told by the auth client (`sessionEnded`,
 * with the server's code) and, for a device signed out from elsewhere, by the socket first.
 */
function useSignedOutNotice(): string | null {
  const { client, status } = useAuth();
  const toasts = useToasts();
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(
    () =>
      client.on("sessionEnded", (reason, detail) => {
        // Signing out on purpose needs no explanation.
        if (reason === "LOGOUT") setNotice(null);
        else {
          setNotice(sessionEndMessage(reason, detail.revokedReason));
          toasts.info("You were signed out.");
        }
      }),
    [client, toasts],
  );
  useEffect(() => {
    if (status === "authenticated") setNotice(null);
  }, [status]);
  return notice;
}

/** "(3) Baton chat": unread direct and room messages, in the tab title. */
function useUnreadTitle(path: string): void {
  const { store } = useChat();
  const [count, setCount] = useState(0);
  useEffect(
    () =>
      store.subscribe(() =>
        setCount(Object.values(store.getSnapshot().unread).reduce((sum, n) => sum + n, 0)),
      ),
    [store],
  );
  useEffect(() => {
    const section = path.startsWith("/chat") ? "Chat" : (TITLES[path] ?? "Baton");
    document.title = `${count > 0 ? `(${count}) ` : ""}${section} · Baton chat`;
  }, [count, path]);
}

function Splash() {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = window.setTimeout(() => setSlow(true), 3_000);
    return () => window.clearTimeout(timer);
  }, []);
  return (
    <div className="splash" role="status" aria-live="polite">
      <Logo className="splash-logo" />
      <Spinner label="Restoring your session" />
      <p className="muted">
        {slow
          ? "Can't reach the server yet. Still trying — you are not signed out."
          : "Restoring your session…"}
      </p>
    </div>
  );
}

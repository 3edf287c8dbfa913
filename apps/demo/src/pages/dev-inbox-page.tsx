import { useEffect, useState } from "react";
import { Icon } from "../components/icons.js";
import { EmptyState } from "../components/ui.js";
import { Link } from "../router.js";

/** What the demo server's development-only `GET /api/dev/inbox` answers. */
interface CapturedMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  link: string | null;
  receivedAt: number;
}

/**
 * Whether this server keeps mail in a development inbox: it says so with a `<meta>` tag in the
 * page it serves (development without SMTP_URL only), so a production page never asks.
 */
export function devInboxAvailable(): boolean {
  return document.querySelector('meta[name="demo-dev-inbox"]') !== null;
}

/**
 * `/dev/inbox` (development only): the mail Baton "sent", newest first, with each message's
 * link, so every mailed flow can be clicked through without a mail server.
 */
export function DevInboxPage() {
  const [messages, setMessages] = useState<CapturedMail[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const response = await fetch("/api/dev/inbox", { cache: "no-store" });
        if (!response.ok) throw new Error(`The server answered ${response.status}`);
        const body = (await response.json()) as { messages: CapturedMail[] };
        if (!stopped) {
          setMessages(body.messages);
          setError(null);
        }
      } catch (failure) {
        if (!stopped)
          setError(
            failure instanceof Error && /404/.test(failure.message)
              ? "This server has no development inbox (production, or SMTP_URL is set)."
              : "Can't reach the server.",
          );
      }
    };
    void load();
    // Mail is delivered a moment after the request that caused it: look again every 2 s.
    const timer = window.setInterval(() => void load(), 2_000);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, []);

  return (
    <main id="main" className="page page-narrow dev-inbox">
      <h1>Development inbox</h1>
      <p className="lead">
        Mail Baton sent while running without <code>SMTP_URL</code>, newest first. Development only:
        production sends real mail and has no such page. <Link to="/login">Sign in</Link>
      </p>
      {error && (
        <div className="notice notice-warn" role="alert">
          <Icon name="info" />
          <p>{error}</p>
        </div>
      )}
      {messages !== null && messages.length === 0 && (
        <EmptyState icon="info" title="No mail yet">
          <p>
            Ask for a password reset (<Link to="/forgot-password">Forgot password?</Link>) and it
            shows up here.
          </p>
        </EmptyState>
      )}
      <ol className="dev-inbox-list" aria-label="Messages">
        {(messages ?? []).map((message) => (
          <li key={message.id} className="card dev-inbox-message" data-testid="dev-inbox-message">
            <h2>{message.subject}</h2>
            <p className="muted">
              To <strong>{message.to}</strong> ·{" "}
              <time dateTime={new Date(message.receivedAt).toISOString()}>
                {new Date(message.receivedAt).toLocaleString()}
              </time>
            </p>
            {message.link && (
              <p>
                <a href={message.link} rel="noreferrer">
                  {message.link.replace(/#.*/, "#…")}
                </a>
              </p>
            )}
            <pre className="dev-inbox-text">{message.text}</pre>
          </li>
        ))}
      </ol>
    </main>
  );
}

/** In development, where the mail went. */
export function DevInboxHint() {
  if (!devInboxAvailable()) return null;
  return (
    <p className="auth-hint">
      <Icon name="info" /> Development: mail goes to the{" "}
      <Link to="/dev/inbox">development inbox</Link>.
    </p>
  );
}

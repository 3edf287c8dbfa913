import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { SessionInfo } from "@baton/client";
import { HttpError } from "@baton/client";
import { useAuth } from "@baton/client/react";
import { useConnection } from "../chat/chat-context.js";
import { Icon, type IconName } from "../components/icons.js";
import { Button, PasswordField, Spinner } from "../components/ui.js";
import { useActions } from "../hooks/use-action.js";
import { describeError } from "../lib/errors.js";
import { formatDateTime, timeAgo } from "../lib/format.js";
import { parseUserAgent, type DeviceKind } from "../lib/user-agent.js";
import { useToasts } from "../toasts.js";
import { ChangeEmailCard } from "./email-pages.js";

const DEVICE_ICONS: Record<DeviceKind, IconName> = {
  desktop: "desktop",
  mobile: "mobile",
  tablet: "tablet",
  tool: "terminal",
};

export function SecurityPage() {
  // Bumped by a password change, which ends the other sessions: the list reloads.
  const [version, setVersion] = useState(0);
  return (
    <div className="page">
      <header className="page-header">
        <h1>Security</h1>
        <p className="lead">Where your account is signed in, and the keys to it.</p>
      </header>
      <div className="page-grid">
        <div className="stack">
          <SessionsCard version={version} />
          <ConnectionCard />
        </div>
        <div className="stack">
          <ChangePasswordCard onChanged={() => setVersion((n) => n + 1)} />
          <ChangeEmailCard />
        </div>
      </div>
    </div>
  );
}

function SessionsCard({ version }: { version: number }) {
  const { client, logoutAll } = useAuth();
  const toasts = useToasts();
  const { busy, run, dialog } = useActions<string>();
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [, tick] = useState(0);

  const load = useCallback(async () => {
    try {
      const list = await client.sessions();
      list.sort(
        (a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt),
      );
      setSessions(list);
    } catch (error) {
      toasts.error(describeError(error));
      setSessions((current) => current ?? []);
    }
  }, [client, toasts]);

  useEffect(() => {
    void load();
  }, [load, version]);

  useEffect(() => {
    // "Last active 2 minutes ago" stays true, and sessions that ended elsewhere disappear.
    const timer = window.setInterval(() => {
      tick((n) => n + 1);
      void load();
    }, 30_000);
    return () => window.clearInterval(timer);
  }, [load]);

  const revoke = (session: SessionInfo) => {
    const device = parseUserAgent(session.userAgent).label;
    return run(
      session.id,
      async () => {
        await client.revokeSession(session.id);
        if (!session.current) {
          toasts.success(`Signed out ${device}.`);
          await load();
        }
      },
      {
        confirm: {
          title: session.current ? "Sign out of this device?" : "Sign out that device?",
          body: session.current ? (
            <p>You will be taken to the sign-in page.</p>
          ) : (
            <p>
              <strong>{device}</strong>
              {session.ip ? ` (${session.ip})` : ""} will be signed out at once, and its live chat
              connection closed.
            </p>
          ),
          confirm: "Sign out device",
          tone: "danger",
        },
      },
    );
  };

  const everywhere = () =>
    run("all", logoutAll, {
      confirm: {
        title: "Sign out everywhere?",
        body: (
          <p>
            Every session of your account ends, this one included. Every device will need the
            password again.
          </p>
        ),
        confirm: "Sign out everywhere",
        tone: "danger",
      },
      busyUntilGone: true,
    });

  return (
    <section className="card" aria-labelledby="sessions-title">
      <header className="card-header">
        <div>
          <h2 id="sessions-title">Active sessions</h2>
          <p className="muted">One per device or browser you signed in from.</p>
        </div>
        <Button variant="danger" size="sm" busy={busy === "all"} onClick={() => void everywhere()}>
          <Icon name="logout" /> Sign out everywhere
        </Button>
      </header>
      {sessions === null ? (
        <div className="card-body center">
          <Spinner label="Loading sessions" />
        </div>
      ) : (
        <ul className="session-list" data-testid="sessions">
          {sessions.map((session) => {
            const agent = parseUserAgent(session.userAgent);
            return (
              <li
                key={session.id}
                className={`session${session.current ? " is-current" : ""}`}
                data-session-id={session.id}
              >
                <span className="session-icon">
                  <Icon name={DEVICE_ICONS[agent.device]} />
                </span>
                <div className="session-info">
                  <p className="session-title">
                    {agent.label}
                    {session.current && <span className="badge badge-success">This device</span>}
                  </p>
                  <p className="session-meta">
                    <span title="IP address">{session.ip ?? "unknown IP"}</span>
                    <span aria-hidden="true"> · </span>
                    <span title={formatDateTime(session.lastUsedAt)}>
                      {session.current
                        ? "Active now"
                        : `Last active ${timeAgo(session.lastUsedAt)}`}
                    </span>
                    <span aria-hidden="true"> · </span>
                    <span>Signed in {formatDateTime(session.createdAt)}</span>
                  </p>
                </div>
                <Button
                  variant="secondary"
                  size="sm"
                  busy={busy === session.id}
                  onClick={() => void revoke(session)}
                  aria-label={`Sign out ${agent.label}${session.current ? " (this device)" : ""}`}
                >
                  {session.current ? "Sign out" : "Revoke"}
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      {dialog}
    </section>
  );
}

function ChangePasswordCard({ onChanged }: { onChanged: () => void }) {
  const { client, changePassword, user } = useAuth();
  const toasts = useToasts();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const { busy, run } = useActions();
  const [errors, setErrors] = useState<{ current?: string; next?: string; repeat?: string }>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ([...next].length < 8) return setErrors({ next: "Use at least 8 characters." });
    if (next !== repeat) return setErrors({ repeat: "The two new passwords differ." });
    if (next === current)
      return setErrors({ next: "Choose a password different from the current one." });
    setErrors({});
    await run(
      true,
      async () => {
        const before = await client.sessions().catch(() => []);
        await changePassword({ currentPassword: current, newPassword: next });
        const others = before.filter((session) => !session.current).length;
        toasts.success(
          others > 0
            ? `Password changed. ${others} other ${others === 1 ? "session was" : "sessions were"} signed out.`
            : "Password changed.",
        );
        setCurrent("");
        setNext("");
        setRepeat("");
        onChanged();
      },
      {
        onError: (error, message) => {
          if (error instanceof HttpError && error.code === "INVALID_CREDENTIALS") {
            setErrors({ current: "That is not your current password." });
          } else toasts.error(message);
        },
      },
    );
  };

  return (
    <section className="card" aria-labelledby="password-title">
      <header className="card-header">
        <div>
          <h2 id="password-title">Change password</h2>
          <p className="muted">Every other session is signed out; this one stays.</p>
        </div>
      </header>
      <form className="card-body form" onSubmit={(event) => void submit(event)}>
        {/* Helps password managers tie the new password to the account. */}
        <input
          type="email"
          name="username"
          autoComplete="username"
          value={user?.email ?? ""}
          readOnly
          hidden
        />
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          required
          value={current}
          error={errors.current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <PasswordField
          label="New password"
          autoComplete="new-password"
          required
          minLength={8}
          value={next}
          error={errors.next}
          hint="At least 8 characters."
          onChange={(event) => setNext(event.target.value)}
        />
        <PasswordField
          label="Repeat new password"
          autoComplete="new-password"
          required
          value={repeat}
          error={errors.repeat}
          onChange={(event) => setRepeat(event.target.value)}
        />
        <div>
          <Button type="submit" busy={busy !== null}>
            <Icon name="lock" /> Change password
          </Button>
        </div>
      </form>
    </section>
  );
}

/** The live socket and its token, so the re-authentication can be watched as it happens. */
function ConnectionCard() {
  const connection = useConnection();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1_000);
    return () => window.clearInterval(timer);
  }, []);
  const expiresIn =
    connection.tokenExpiresAt === null
      ? null
      : Math.max(0, Math.round((connection.tokenExpiresAt - now) / 1000));
  return (
    <section className="card" aria-labelledby="connection-title">
      <header className="card-header">
        <div>
          <h2 id="connection-title">Live connection</h2>
          <p className="muted">
            The chat socket re-authenticates with every new access token instead of reconnecting.
          </p>
        </div>
      </header>
      <dl className="facts card-body">
        <div>
          <dt>Socket</dt>
          <dd>
            {connection.state === "connected" ? (
              <>
                <code>{connection.socketId}</code> over {connection.transport}
              </>
            ) : (
              connection.state
            )}
          </dd>
        </div>
        <div>
          <dt>Connected</dt>
          <dd>{connectedFor(connection.connectedAt, now)}</dd>
        </div>
        <div>
          <dt>Re-authenticated</dt>
          <dd data-testid="reauth-count">
            {connection.reauths} {connection.reauths === 1 ? "time" : "times"}
            {connection.lastReauthAt
              ? `, last ${Math.round((now - connection.lastReauthAt) / 1000)} s ago`
              : ""}
          </dd>
        </div>
        <div>
          <dt>Access token</dt>
          <dd>
            {expiresIn === null
              ? "—"
              : expiresIn > 90
                ? `expires in ${Math.round(expiresIn / 60)} min`
                : `expires in ${expiresIn} s`}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** "42 s ago", then "3 minutes ago": how long the socket has been up. */
function connectedFor(connectedAt: number | null, now: number): string {
  if (connectedAt === null) return "—";
  const seconds = Math.max(0, Math.round((now - connectedAt) / 1000));
  return seconds < 90 ? `${seconds} s ago` : timeAgo(new Date(connectedAt).toISOString(), now);
}

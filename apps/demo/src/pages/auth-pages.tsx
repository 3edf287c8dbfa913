import { useState, type FormEvent, type ReactNode } from "react";
import { HttpError } from "@baton/client";
import { useAuth } from "@baton/client/react";
import { Icon, Logo } from "../components/icons.js";
import { Button, Field, PasswordField } from "../components/ui.js";
import { useActions } from "../hooks/use-action.js";
import { Link, navigate, useLocation } from "../router.js";
import { useToasts } from "../toasts.js";

const MIN_PASSWORD = 8;

export function AuthLayout({
  title,
  lead,
  children,
}: {
  title: string;
  lead: string;
  children: ReactNode;
}) {
  return (
    <div className="auth-layout">
      <aside className="auth-aside" aria-label="About this demo">
        <div className="auth-aside-inner">
          <p className="brand brand-light">
            <Logo className="brand-mark" />
            <span className="brand-name">Baton</span>
          </p>
          <h2 className="auth-aside-title">A chat that never drops you when your token expires.</h2>
          <ul className="feature-list">
            <li>
              <Icon name="key" />
              <span>
                <strong>Short-lived access tokens</strong> in memory only, renewed before they
                expire through a rotating refresh token in an <code>HttpOnly</code> cookie.
              </span>
            </li>
            <li>
              <Icon name="refresh" />
              <span>
                <strong>Sockets follow the token.</strong> Every new token re-authenticates the live
                connection: no reconnect, no lost message.
              </span>
            </li>
            <li>
              <Icon name="shield" />
              <span>
                <strong>Sessions you can see and end.</strong> Revoke a device and it is signed out
                — and its socket dropped — within a second.
              </span>
            </li>
          </ul>
        </div>
      </aside>
      <main id="main" className="auth-main">
        <div className="auth-card">
          <p className="brand auth-card-brand">
            <Logo className="brand-mark" />
            <span className="brand-name">Baton</span>
            <span className="brand-tag">chat demo</span>
          </p>
          <h1>{title}</h1>
          <p className="lead">{lead}</p>
          {children}
        </div>
      </main>
    </div>
  );
}

/** Where to go after signing in: `?next=` if it is a path on this site, else the chat. */
function useNext(): string {
  const { query } = useLocation();
  const next = query.get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/chat";
}

export function LoginPage({ notice }: { notice: string | null }) {
  const { login } = useAuth();
  const toasts = useToasts();
  const next = useNext();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, run } = useActions();
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    await run(
      true,
      async () => {
        await login({ email, password });
        navigate(next, { replace: true });
      },
      {
        onError: (failure, message) => {
          if (failure instanceof HttpError && failure.code === "INVALID_CREDENTIALS")
            setError(message);
          else toasts.error(message);
        },
      },
    );
  };

  return (
    <AuthLayout title="Welcome back" lead="Sign in to join the conversation.">
      {notice && (
        <div className="notice notice-warn" role="alert" data-testid="signed-out-notice">
          <Icon name="info" />
          <p>{notice}</p>
        </div>
      )}
      <form className="form" onSubmit={(event) => void submit(event)}>
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          error={error}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Button type="submit" busy={busy !== null} className="btn-block">
          Sign in
        </Button>
      </form>
      <p className="auth-switch">
        New here?{" "}
        <Link to={`/signup${next !== "/chat" ? `?next=${encodeURIComponent(next)}` : ""}`}>
          Create an account
        </Link>
      </p>
      <p className="auth-hint">
        <Icon name="info" /> Looking for the admin account? The demo server prints its email and
        password in the terminal when it starts.
      </p>
    </AuthLayout>
  );
}

export function SignupPage() {
  const { register } = useAuth();
  const toasts = useToasts();
  const next = useNext();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, run } = useActions();
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ([...password].length < MIN_PASSWORD) {
      setErrors({ password: `Use at least ${MIN_PASSWORD} characters.` });
      return;
    }
    setErrors({});
    await run(
      true,
      async () => {
        await register({ email, password, ...(name.trim() && { name: name.trim() }) });
        toasts.success(`Welcome${name.trim() ? `, ${name.trim()}` : ""}! You're signed in.`);
        navigate(next, { replace: true });
      },
      {
        onError: (failure, message) => {
          if (failure instanceof HttpError && failure.code === "EMAIL_TAKEN")
            setErrors({ email: message });
          else if (
            failure instanceof HttpError &&
            failure.code === "VALIDATION_FAILED" &&
            /password/i.test(failure.message)
          ) {
            setErrors({ password: message });
          } else toasts.error(message);
        },
      },
    );
  };

  return (
    <AuthLayout
      title="Create your account"
      lead="It takes ten seconds. No email confirmation in this demo."
    >
      <form className="form" onSubmit={(event) => void submit(event)}>
        <Field
          label="Display name"
          name="name"
          autoComplete="nickname"
          maxLength={100}
          required
          autoFocus
          value={name}
          hint="Shown to other people in the chat."
          onChange={(event) => setName(event.target.value)}
        />
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          error={errors.email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          value={password}
          hint={`At least ${MIN_PASSWORD} characters. A passphrase is easiest to remember.`}
          error={errors.password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Button type="submit" busy={busy !== null} className="btn-block">
          Create account
        </Button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </AuthLayout>
  );
}

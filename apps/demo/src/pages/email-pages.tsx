import { useState, type FormEvent } from "react";
import { HttpError } from "@baton/client";
import { useAuth } from "@baton/client/react";
import { Icon } from "../components/icons.js";
import { Button, Field, PasswordField } from "../components/ui.js";
import { useActions } from "../hooks/use-action.js";
import { describeError } from "../lib/errors.js";
import { Link } from "../router.js";
import { useToasts } from "../toasts.js";
import { forgetFragment, fragmentToken } from "../lib/mailed-link.js";
import { AuthLayout } from "./auth-pages.js";

/** `/verify-email#token=…`: confirms an address (a new account's, or a new one after a change). */
export function VerifyEmailPage() {
  const { verifyEmail, status, user } = useAuth();
  const [token] = useState(fragmentToken);
  const [code, setCode] = useState("");
  const [email, setEmail] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const { busy, run } = useActions();
  const signedIn = status === "authenticated";

  const redeem = (input: Parameters<typeof verifyEmail>[0]) =>
    run(
      true,
      async () => {
        const verified = await verifyEmail(input);
        forgetFragment();
        setDone(verified.email);
      },
      { onError: (_failure, message) => setError(message) },
    );
  const submitCode = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    await redeem(signedIn ? { code } : { code, email });
  };

  if (done !== null)
    return (
      <AuthLayout title="Email address confirmed" lead={`${done} is confirmed.`}>
        <p data-testid="verify-done">
          <Icon name="check" /> Thank you.{" "}
          <Link to={signedIn ? "/chat" : "/login"}>{signedIn ? "Go to the chat" : "Sign in"}</Link>
        </p>
      </AuthLayout>
    );
  return (
    <AuthLayout
      title="Confirm your email address"
      lead={
        token
          ? "Press the button to confirm the address this link was sent to."
          : `Enter the code from the mail${user ? ` we sent to ${user.email}` : ""}.`
      }
    >
      {error && (
        <div className="notice notice-warn" role="alert" data-testid="verify-error">
          <Icon name="info" />
          <p>{error}</p>
        </div>
      )}
      {token ? (
        <Button busy={busy !== null} onClick={() => void redeem({ token })}>
          <Icon name="check" /> Confirm my email address
        </Button>
      ) : (
        <form className="form" onSubmit={(event) => void submitCode(event)}>
          {!signedIn && (
            <Field
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
          <Field
            label="Code"
            autoComplete="one-time-code"
            required
            placeholder="ABCD-EFGH"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
          <Button type="submit" busy={busy !== null}>
            Confirm
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}

/** `/undo-email-change#token=…`: from the notice to the old address. */
export function UndoEmailChangePage() {
  const { undoEmailChange } = useAuth();
  const [token] = useState(fragmentToken);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const { busy, run } = useActions();
  const undo = () =>
    run(
      true,
      async () => {
        await undoEmailChange({ token: token ?? "" });
        forgetFragment();
        setDone(true);
      },
      { onError: (_failure, message) => setError(message) },
    );
  if (done)
    return (
      <AuthLayout title="Change undone" lead="Your old email address is back.">
        <p data-testid="undo-done">
          Every device has been signed out. <Link to="/login">Sign in</Link> with your old address,
          then change your password: whoever changed the address may know it.
        </p>
      </AuthLayout>
    );
  return (
    <AuthLayout
      title="Undo the email change"
      lead="This puts your old address back and signs out every device."
    >
      {error && (
        <div className="notice notice-warn" role="alert" data-testid="undo-error">
          <Icon name="info" />
          <p>{error}</p>
        </div>
      )}
      {token ? (
        <Button variant="danger" busy={busy !== null} onClick={() => void undo()}>
          Undo the change and sign out everywhere
        </Button>
      ) : (
        <p>This page needs the link from the mail.</p>
      )}
    </AuthLayout>
  );
}

/** Above every signed-in page while the address is not confirmed, with a resend. */
export function VerifyEmailBanner() {
  const { user, resendVerification } = useAuth();
  const toasts = useToasts();
  const { busy, run } = useActions();
  if (user === null || user.emailVerified) return null;
  const resend = () =>
    run(true, async () => {
      await resendVerification();
      toasts.success(`Sent. Check ${user.email}.`);
    });
  return (
    <div className="notice notice-warn verify-banner" role="status" data-testid="verify-banner">
      <Icon name="info" />
      <p>
        Confirm your email address: we sent a link to <strong>{user.email}</strong>.{" "}
        <Link to="/verify-email">Enter the code</Link> or{" "}
        <Button variant="ghost" size="sm" busy={busy !== null} onClick={() => void resend()}>
          send it again
        </Button>
      </p>
    </div>
  );
}

/** Security page: a new address, confirmed by mail before it applies. */
export function ChangeEmailCard() {
  const { user, changeEmail } = useAuth();
  const toasts = useToasts();
  const [newEmail, setNewEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState<string | null>(null);
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  const { busy, run } = useActions();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    await run(
      true,
      async () => {
        await changeEmail({ newEmail, password });
        setPending(newEmail);
        setPassword("");
        toasts.success(`Check ${newEmail} to confirm it.`);
      },
      {
        onError: (failure, message) => {
          if (failure instanceof HttpError && failure.code === "INVALID_CREDENTIALS")
            setErrors({ password: "Current password is incorrect." });
          else if (failure instanceof HttpError && failure.code === "EMAIL_TAKEN")
            setErrors({ email: message });
          else toasts.error(describeError(failure));
        },
      },
    );
  };

  return (
    <section className="card" aria-labelledby="email-title">
      <header className="card-header">
        <div>
          <h2 id="email-title">Email address</h2>
          <p className="muted" data-testid="current-email">
            {user?.email} · {user?.emailVerified ? "confirmed" : "not confirmed yet"}
          </p>
        </div>
      </header>
      <form className="form card-body" onSubmit={(event) => void submit(event)}>
        {pending && (
          <p className="muted" role="status" data-testid="email-pending">
            We sent a link to <strong>{pending}</strong>. The change applies once you open it; your
            current address gets a mail to undo it.
          </p>
        )}
        <Field
          label="New email"
          type="email"
          name="newEmail"
          autoComplete="email"
          required
          value={newEmail}
          error={errors.email}
          onChange={(event) => setNewEmail(event.target.value)}
        />
        <PasswordField
          label="Current password"
          name="emailPassword"
          autoComplete="current-password"
          required
          value={password}
          error={errors.password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <div>
          <Button type="submit" busy={busy !== null}>
            Change email
          </Button>
        </div>
      </form>
    </section>
  );
}

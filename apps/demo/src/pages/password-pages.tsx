import { useEffect, useState, type FormEvent } from "react";
import { HttpError } from "@baton/client";
import { useAuth } from "@baton/client/react";
import { Icon } from "../components/icons.js";
import { Button, Field, PasswordField } from "../components/ui.js";
import { useActions } from "../hooks/use-action.js";
import { Link, navigate } from "../router.js";
import { useToasts } from "../toasts.js";
import { AuthLayout } from "./auth-pages.js";
import { DevInboxHint } from "./dev-inbox-page.js";
import { forgetFragment, fragmentToken } from "../lib/mailed-link.js";

const MIN_PASSWORD = 8;

/** `/forgot-password`: asks for a reset mail. The answer is the same whether the account exists. */
export function ForgotPasswordPage() {
  const { client } = useAuth();
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, run } = useActions();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(true, async () => {
      await client.requestPasswordReset(email);
      setSentTo(email.trim());
    });
  };

  if (sentTo !== null)
    return (
      <AuthLayout title="Check your inbox" lead="A link is on its way, if there is an account.">
        <div className="notice" role="status" data-testid="reset-requested">
          <Icon name="info" />
          <p>
            If an account exists for <strong>{sentTo}</strong>, we've sent it a link to choose a new
            password, and a code. Both work once, for 30 minutes.
          </p>
        </div>
        <p className="auth-switch">
          Reading the mail on another device? <Link to="/reset-password">Enter the code</Link>
        </p>
        <DevInboxHint />
        <p className="auth-switch">
          <Link to="/login">Back to sign in</Link>
        </p>
      </AuthLayout>
    );

  return (
    <AuthLayout
      title="Forgot your password?"
      lead="Enter your email address and we'll mail you a link to choose a new one."
    >
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
        <Button type="submit" busy={busy !== null} className="btn-block">
          Send reset link
        </Button>
      </form>
      <p className="auth-switch">
        Remembered it? <Link to="/login">Sign in</Link>
      </p>
    </AuthLayout>
  );
}

/**
 * `/reset-password`: the mail's link lands here with its token in the fragment (never sent to
 * any server, never in `Referer`). Opening the page spends nothing — a mail scanner that fetches
 * the link changes nothing —: the token is taken out of the address bar at once and only the
 * form's submit sends it. Without a token, the page takes the mailed code and the address.
 */
export function ResetPasswordPage() {
  const { client } = useAuth();
  const toasts = useToasts();
  const [token] = useState(fragmentToken);
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ password?: string; link?: string }>({});
  const { busy, run } = useActions();

  useEffect(forgetFragment, []);

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
        await client.resetPassword(token ? { token } : { email, code }, password);
        toasts.success("Your password was changed. Every other device was signed out.");
        navigate("/chat", { replace: true });
      },
      {
        onError: (failure, message) => {
          if (failure instanceof HttpError && failure.code === "LINK_INVALID")
            setErrors({
              link: token
                ? "This link has expired or was already used. Ask for a new one."
                : "This code is not right, has expired or was already used.",
            });
          else if (failure instanceof HttpError && failure.code === "VALIDATION_FAILED")
            setErrors({ password: message });
          else toasts.error(message);
        },
      },
    );
  };

  return (
    <AuthLayout
      title="Choose a new password"
      lead={
        token
          ? "Every device signed in to your account will be signed out."
          : "Enter the code from the mail, and a new password."
      }
    >
      {errors.link && (
        <div className="notice notice-warn" role="alert" data-testid="link-invalid">
          <Icon name="info" />
          <p>
            {errors.link} <Link to="/forgot-password">Send a new link</Link>
          </p>
        </div>
      )}
      <form className="form" onSubmit={(event) => void submit(event)}>
        {!token && (
          <>
            <Field
              label="Email"
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
            <Field
              label="Code from the mail"
              name="code"
              autoComplete="one-time-code"
              placeholder="ABCD-EFGH"
              required
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          </>
        )}
        <PasswordField
          label="New password"
          name="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          autoFocus={Boolean(token)}
          value={password}
          hint={`At least ${MIN_PASSWORD} characters.`}
          error={errors.password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <Button type="submit" busy={busy !== null} className="btn-block">
          Set new password and sign in
        </Button>
      </form>
      <p className="auth-switch">
        <Link to="/login">Back to sign in</Link>
      </p>
    </AuthLayout>
  );
}

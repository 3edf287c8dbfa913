import { useState } from "react";
import { HttpError, type NotMeResponse } from "@baton/client";
import { useAuth } from "@baton/client/react";
import { Icon } from "../components/icons.js";
import { Button } from "../components/ui.js";
import { describeError } from "../lib/errors.js";
import { Link } from "../router.js";
import { AuthLayout } from "./auth-pages.js";
import { forgetFragment, fragmentToken } from "../lib/mailed-link.js";

/** The password-reset request page (the reset flow's), given the address to fill in. */
const FORGOT_PASSWORD_PATH = "/forgot-password";

/**
 * The token of a "this wasn't me" link, read once from the URL fragment (never sent to a server
 * by the browser, never in a Referer), then taken out of the address bar and history.
 */
function takeToken(): string | null {
  const token = fragmentToken();
  forgetFragment();
  return token;
}

/**
 * "This wasn't me", opened from a security mail (new-device alert, refresh-token reuse). Opening
 * the page does nothing (mail scanners open links): the button sends the token, which signs out
 * every device of the account, this one included; then the page offers the password reset.
 */
export function NotMePage() {
  const { client } = useAuth();
  const [token] = useState(takeToken);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<NotMeResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  const report = async () => {
    if (token === null) return;
    setBusy(true);
    setError(null);
    try {
      setDone(await client.reportNotMe(token));
    } catch (failure) {
      setError(
        failure instanceof HttpError && failure.code === "LINK_INVALID"
          ? "This link has expired, was already used, or a newer alert replaced it. If you still think someone else is using your account, reset your password."
          : describeError(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  if (done !== null)
    return (
      <AuthLayout
        title="Everyone is signed out"
        lead={`We ended ${done.sessionsEnded === 1 ? "1 session" : `${done.sessionsEnded} sessions`} of ${done.email}, on every device.`}
      >
        <div className="notice notice-warn" role="status" data-testid="not-me-done">
          <Icon name="shield" />
          <p>
            Whoever signed in may know your password. Choose a new one now, so they cannot sign in
            again.
          </p>
        </div>
        <Link
          className="btn btn-primary btn-block"
          to={`${FORGOT_PASSWORD_PATH}?email=${encodeURIComponent(done.email)}`}
          data-testid="not-me-reset"
        >
          Reset my password
        </Link>
      </AuthLayout>
    );

  return (
    <AuthLayout
      title="This wasn't me"
      lead="Someone signed in to your account, or used an old sign-in of yours, and you don't recognise it."
    >
      {token === null ? (
        <p role="alert">
          This page needs the link from the email, as it was sent. <Link to="/login">Sign in</Link>
        </p>
      ) : (
        <>
          <p>
            Signing everyone out ends every session of your account on every device, this one
            included. Then you can choose a new password.
          </p>
          {error !== null && (
            <p className="field-error" role="alert" data-testid="not-me-error">
              {error}
            </p>
          )}
          <Button
            variant="danger"
            className="btn-block"
            busy={busy}
            onClick={() => void report()}
            data-testid="not-me-submit"
          >
            Sign everyone out
          </Button>
        </>
      )}
    </AuthLayout>
  );
}

import { HttpError, NetworkError, SessionEndedError, type SessionEndReason } from "@baton/client";
import { ApiError } from "./api.js";

/** Words for the server's stable error codes (docs/api.md), as a person would want to read them. */
const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: "Wrong email or password.",
  EMAIL_TAKEN: "An account with this email already exists. Sign in instead?",
  FORBIDDEN: "You don't have permission to do that.",
  NOT_FOUND: "Not found.",
  UNAVAILABLE: "The server's database is unavailable right now. Try again in a moment.",
  INTERNAL: "Something went wrong on the server. Try again in a moment.",
  CSRF_FAILED: "The request was refused as cross-site.",
  LINK_INVALID: "This link or code has expired or was already used. Ask for a new one.",
  FEATURE_DISABLED: "This server sends no mail, so this is not available.",
  PAYLOAD_TOO_LARGE: "That is too large to send.",
  TIMEOUT: "The server took too long to answer. Try again.",
  NETWORK_ERROR: "Can't reach the server. Check your connection.",
};

/** A sentence for a toast or a form error, from anything an action may throw. */
export function describeError(error: unknown): string {
  if (error instanceof SessionEndedError) return sessionEndMessage(error.code);
  if (error instanceof NetworkError) return MESSAGES[error.code] ?? error.message;
  if (error instanceof HttpError || error instanceof ApiError) {
    if (error.code === "RATE_LIMITED") {
      const seconds =
        error instanceof HttpError && error.retryAfterMs
          ? Math.ceil(error.retryAfterMs / 1000)
          : undefined;
      return seconds
        ? `Too many attempts. Try again in ${formatWait(seconds)}.`
        : "Too many attempts. Wait a little and try again.";
    }
    // Validation messages are specific (which field, what is wrong): show the server's own words.
    if (error.code === "VALIDATION_FAILED") return sentence(error.message);
    return MESSAGES[error.code] ?? sentence(error.message);
  }
  if (error instanceof Error) return sentence(error.message);
  return "Something went wrong.";
}

/** Why this device was signed out, for the sign-in page (`revokedReason`: the server's why). */
export function sessionEndMessage(reason: SessionEndReason, revokedReason?: string): string {
  if (reason === "SESSION_REVOKED" && revokedReason === "password-reset")
    return "Your password was reset; sign in again with the new password.";
  if (reason === "SESSION_REVOKED" && revokedReason === "password-changed")
    return "Your password was changed on another device; sign in again with the new password.";
  switch (reason) {
    case "SESSION_REVOKED":
      return "This session was ended from another device, or by a password change. Sign in again to continue.";
    case "REFRESH_REUSED":
      return "For your safety this session was closed: its refresh token was used twice, which can mean it was copied. Sign in again.";
    case "REFRESH_INVALID":
    case "REFRESH_MISSING":
      return "Your session has expired. Sign in again to continue.";
    case "LOGOUT":
      return "You have been signed out.";
    default:
      return "Your session has ended. Sign in again to continue.";
  }
}

function formatWait(seconds: number): string {
  return seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} minutes`;
}

function sentence(message: string): string {
  const trimmed = message.trim();
  if (!trimmed) return "Something went wrong.";
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

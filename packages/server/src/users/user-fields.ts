/** The fields of a user record and their rules, shared by login (sessions/) and the account operations. */

import { AuthError } from "../errors.js";

const EMAIL_SHAPE = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]+$/u;
const CONTROL = /\p{Cc}|\p{Cf}/u;
/** U+2028 and U+2029 break lines wherever a name is shown or logged, as CR and LF do. */
const LINE_BREAK = /\p{Zl}|\p{Zp}/u;

/**
 * One spelling per mailbox: Unicode NFKC, trimmed, lower-cased, without the trailing dot of a
 * fully qualified domain. So `Ann@Example.com`, `ann@example.com.` and `ann@example.com` (or
 * full-width variants) cannot become two accounts. A domain with an empty label (`a@b..com`,
 * `a@.b.com`, `a@b.com..`) names no host and is refused.
 */
export function normalizeEmail(raw: string): string {
  const email = withoutRootDot(raw.normalize("NFKC").trim().toLowerCase());
  if (
    email.length > 254 ||
    !EMAIL_SHAPE.test(email) ||
    CONTROL.test(email) ||
    email
      .slice(email.lastIndexOf("@") + 1)
      .split(".")
      .includes("")
  ) {
    throw invalid("email", "must be an email address");
  }
  return email;
}

/**
 * `example.com.` is the fully qualified spelling of `example.com` (the empty root label, RFC 1034
 * §3.1): the same host, so the same mailbox. One dot only: `example.com..` stays invalid.
 */
function withoutRootDot(email: string): string {
  return email.endsWith(".") ? email.slice(0, -1) : email;
}

/** Display name: optional, at most 100 characters, one line, no control characters (no header or log injection). */
export function normalizeName(raw: string | null | undefined): string | null {
  if (raw === undefined || raw === null) return null;
  const name = raw.normalize("NFKC").trim();
  if (name === "") return null;
  if ([...name].length > 100 || CONTROL.test(name) || LINE_BREAK.test(name))
    throw invalid("name", "must be at most 100 characters, without control characters");
  return name;
}

const ROLE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Role names are free strings within a safe alphabet; duplicates are dropped, order kept. */
export function normalizeRoles(roles: string[]): string[] {
  const unique = [...new Set(roles)];
  if (unique.length > 32 || !unique.every((role) => ROLE.test(role))) {
    throw invalid(
      "roles",
      "must be up to 32 names of letters, digits and _.:- (up to 64 characters each)",
    );
  }
  return unique;
}

function invalid(field: string, message: string): AuthError {
  return new AuthError("VALIDATION_FAILED", `${field} ${message}`, {
    details: [{ path: `/${field}`, message }],
  });
}

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
export function normalizeName(raw: string | null | undefined, field = "name"): string | null {
  if (raw === undefined || raw === null) return null;
  const name = raw.normalize("NFKC").trim();
  if (name === "") return null;
  if ([...name].length > 100 || CONTROL.test(name) || LINE_BREAK.test(name))
    throw invalid(field, "must be at most 100 characters, without control characters");
  return name;
}

/** The ways sign-up forms spell the display name: Baton's `name`, and what other apps send. */
export interface NameFields {
  name?: string | null | undefined;
  /** Seed 000's sign-up (and many mongoose user models). */
  fullName?: string | null | undefined;
  /** With `lastName`: seed 002's register (and most SQL user tables). */
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
}

/**
 * One display name from `name`, `fullName` or `firstName` + `lastName` (joined by a space): the
 * same person under another field name is accepted, so an existing sign-up form keeps working.
 * Spellings that disagree are refused rather than one silently chosen: the caller learns which
 * field to drop.
 */
export function displayNameOf(fields: NameFields): string | null {
  const first = normalizeName(fields.firstName, "firstName");
  const last = normalizeName(fields.lastName, "lastName");
  const parts = [first, last].filter((part): part is string => part !== null);
  const spellings: [string, string | null][] = [
    ["name", normalizeName(fields.name)],
    ["fullName", normalizeName(fields.fullName, "fullName")],
    [first !== null ? "firstName" : "lastName", parts.length > 0 ? parts.join(" ") : null],
  ];
  let chosen: [string, string] | undefined;
  for (const [field, value] of spellings) {
    if (value === null) continue;
    if (chosen === undefined) chosen = [field, value];
    else if (value !== chosen[1])
      throw invalid(field, `differs from ${chosen[0]}: send one of them (both name the user)`);
  }
  if (chosen !== undefined && [...chosen[1]].length > 100)
    throw invalid(chosen[0], "must be at most 100 characters, without control characters");
  return chosen?.[1] ?? null;
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

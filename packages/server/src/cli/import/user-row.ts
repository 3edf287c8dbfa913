import { normalizeEmail, normalizeName, normalizeRoles } from "../../users/user-fields.js";
import { DEFAULT_ROLES } from "../../accounts/register.js";

/** Why a row was not imported. Stable: scripts may count them from the `--report` file. */
export type RejectionCode =
  | "MALFORMED_ROW"
  | "ID_INVALID"
  | "EMAIL_INVALID"
  | "HASH_MISSING"
  | "HASH_UNSUPPORTED"
  | "NAME_INVALID"
  | "ROLES_INVALID"
  | "CREATED_AT_INVALID"
  | "EMAIL_VERIFIED_INVALID"
  | "DUPLICATE_IN_FILE"
  | "EMAIL_EXISTS"
  | "ID_EXISTS";

/** A row ready to become a user. */
export interface ImportedUser {
  /**
   * The id the user had in the app's own table, when the row has one: kept, because the app's
   * other tables point at it and Baton's access tokens carry the user id as `sub`.
   */
  id?: string;
  email: string;
  name: string | null;
  passwordHash: string;
  roles: string[];
  createdAt: number;
  /**
   * When the old app had verified the address: a time, null for "not verified", absent when the
   * row does not say (then `--verified` decides).
   */
  emailVerifiedAt?: number | null;
}

export type RowVerdict =
  | { ok: true; user: ImportedUser }
  | { ok: false; code: RejectionCode; reason: string; email?: string };

/**
 * Column names as the seed apps (and common ORMs) spell them, compared after lower-casing and
 * dropping everything but letters and digits: `password_hash`, `passwordHash` and
 * `Password Hash` are one column. Earlier names win when a row has several.
 */
export const COLUMNS = {
  // `_id` (mongoexport) is `id` once normalised.
  id: ["id", "userid", "uuid"],
  email: ["email", "emailaddress", "mail"],
  hash: [
    "passwordhash",
    "hashedpassword",
    "encryptedpassword",
    "passworddigest",
    "hash",
    "password",
  ],
  name: ["name", "fullname", "displayname"],
  firstName: ["firstname", "givenname"],
  lastName: ["lastname", "familyname", "surname"],
  roles: ["roles", "role"],
  createdAt: ["createdat", "created", "datecreated", "datejoined"],
  emailVerified: [
    "emailverified",
    "emailverifiedat",
    "isemailverified",
    "emailconfirmed",
    "emailconfirmedat",
    "verified",
    "isverified",
    "verifiedat",
    "confirmed",
    "confirmedat",
  ],
} as const;

const normalizeKey = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * The required columns a CSV header lacks (so a file with the wrong header stops at once instead
 * of rejecting every row).
 */
export function missingColumns(header: readonly string[]): string[] {
  const names = new Set(header.map(normalizeKey));
  const missing: string[] = [];
  if (!COLUMNS.email.some((name) => names.has(name))) missing.push("email");
  if (!COLUMNS.hash.some((name) => names.has(name)))
    missing.push("password_hash (or password, hash)");
  return missing;
}

// bcrypt as crypt(3) writes it: $2a$/$2b$/$2y$, a two-digit cost from 04 to 31, 22 characters of
// salt and 31 of hash. $2x$ (the buggy pre-2011 crypt_blowfish) is refused: it cannot be verified
// safely.
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
// PHC string format of argon2 (what @node-rs/argon2, argon2 for Node and passlib write). The
// parameters are named, so their order is free: argon2 for Node writes m,p,t, @node-rs/argon2 and
// the PHC examples m,t,p, and @node-rs/argon2 verifies either.
const ARGON2 =
  /^\$argon2(id|i|d)\$(v=(16|19)\$)?([^$]{1,100})\$[A-Za-z0-9+/]{8,}={0,2}\$[A-Za-z0-9+/]{16,}={0,2}$/;
const ARGON2_PARAM = /^[mtp]=\d{1,10}$/;
// What an id may be: what Baton's own ids (UUIDs), MongoDB ObjectIds and SQL serials look like,
// within the 64 characters the admin API takes in a path.
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** Turns one input record into a user, or says why not. Never echoes a hash. */
export function checkRow(fields: Record<string, unknown>, now: number): RowVerdict {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of Object.entries(fields)) {
    const normalized = normalizeKey(key);
    if (!byKey.has(normalized)) byKey.set(normalized, value);
  }
  const pick = (names: readonly string[]): unknown => {
    for (const name of names) {
      const value = byKey.get(name);
      if (value !== undefined && value !== null && value !== "") return value;
    }
    return undefined;
  };

  const rawEmail = pick(COLUMNS.email);
  if (typeof rawEmail !== "string")
    return reject("EMAIL_INVALID", rawEmail === undefined ? "no email" : "email is not a string");
  let email: string;
  try {
    email = normalizeEmail(rawEmail);
  } catch {
    return reject("EMAIL_INVALID", "email is not an email address", rawEmail);
  }

  const hash = pick(COLUMNS.hash);
  if (hash === undefined)
    return reject(
      "HASH_MISSING",
      "no password hash (column password_hash, password or hash)",
      email,
    );
  if (typeof hash !== "string" || !(BCRYPT.test(hash) || isArgon2(hash)))
    return reject("HASH_UNSUPPORTED", describeHash(hash), email);

  const rawId = pick(COLUMNS.id);
  const id = rawId === undefined ? undefined : idOf(rawId);
  if (id === null)
    return reject(
      "ID_INVALID",
      "id must be 1 to 64 letters, digits and _.:- (or a whole number)",
      email,
    );

  let name: string | null;
  try {
    name = normalizeName(
      nameOf(pick(COLUMNS.name), pick(COLUMNS.firstName), pick(COLUMNS.lastName)),
    );
  } catch {
    return reject("NAME_INVALID", "name is over 100 characters or has control characters", email);
  }

  const roles = rolesOf(pick(COLUMNS.roles));
  if (roles === undefined)
    return reject("ROLES_INVALID", "roles must be names of letters, digits and _.:-", email);

  const created = pick(COLUMNS.createdAt);
  const createdAt = created === undefined ? now : timestampOf(created);
  if (createdAt === undefined || createdAt < 0 || createdAt > now + 86_400_000)
    return reject("CREATED_AT_INVALID", "createdAt is not a date (ISO 8601 or epoch)", email);

  const saysVerified = COLUMNS.emailVerified.some((name) => byKey.has(name));
  const verified = saysVerified ? verifiedAtOf(pick(COLUMNS.emailVerified), now) : undefined;
  if (verified === "invalid")
    return reject(
      "EMAIL_VERIFIED_INVALID",
      "email_verified is not true/false/1/0/yes/no or a date",
      email,
    );

  return {
    ok: true,
    user: {
      ...(id !== undefined && { id }),
      email,
      name,
      passwordHash: hash,
      roles,
      createdAt,
      ...(verified !== undefined && { emailVerifiedAt: verified }),
    },
  };
}

function reject(code: RejectionCode, reason: string, email?: string): RowVerdict {
  return email === undefined ? { ok: false, code, reason } : { ok: false, code, reason, email };
}

/** Says what the hash looks like without quoting it: reports end up in tickets and chats. */
function describeHash(hash: unknown): string {
  if (typeof hash !== "string") return "password hash is not a string";
  if (hash.startsWith("$2x$")) return "bcrypt $2x$ hashes (crypt_blowfish bug) are not supported";
  if (/^\$2[aby]\$/.test(hash)) return "malformed bcrypt hash";
  if (hash.startsWith("$argon2"))
    return ARGON2.test(hash)
      ? "argon2 parameters must be m, t and p, each once, in any order"
      : "malformed argon2 hash";
  const scheme = /^\$([a-z0-9-]{1,20})\$/i.exec(hash)?.[1];
  if (scheme !== undefined) return `unsupported hash scheme $${scheme}$ (bcrypt or argon2 only)`;
  return "not a bcrypt or argon2 hash (plain-text passwords are never imported)";
}

function isArgon2(hash: string): boolean {
  return ARGON2.test(hash) && argon2ParamsValid(hash);
}

/** Exactly m, t and p, each once, in any order. */
function argon2ParamsValid(hash: string): boolean {
  const params = ARGON2.exec(hash)?.[4]?.split(",") ?? [];
  const names = new Set(params.map((param) => param.slice(0, 1)));
  return params.length === 3 && names.size === 3 && params.every((p) => ARGON2_PARAM.test(p));
}

/** A string id as it is, a whole number as its digits, MongoDB's `{"$oid": ...}` as its hex; null if none fits. */
function idOf(raw: unknown): string | null {
  if (typeof raw === "object" && raw !== null && "$oid" in raw)
    return typeof raw.$oid === "string" ? idOf(raw.$oid) : null;
  if (typeof raw === "number") return Number.isSafeInteger(raw) && raw >= 0 ? String(raw) : null;
  if (typeof raw !== "string") return null;
  return ID.test(raw) ? raw : null;
}

function nameOf(name: unknown, first: unknown, last: unknown): string | null {
  if (typeof name === "string") return name;
  const parts = [first, last].filter((part): part is string => typeof part === "string");
  return parts.length > 0 ? parts.join(" ") : null;
}

/** `["a","b"]` (JSON), `'["a","b"]'`, `"a,b"`, `"a;b"`, `"a|b"`, `"a b"`, or one role. */
function rolesOf(raw: unknown): string[] | undefined {
  if (raw === undefined) return DEFAULT_ROLES;
  let list: unknown = raw;
  if (typeof raw === "string") {
    const text = raw.trim();
    if (text.startsWith("[")) {
      try {
        list = JSON.parse(text);
      } catch {
        return undefined;
      }
    } else {
      list = text.split(/[\s,;|]+/).filter(Boolean);
    }
  }
  if (!Array.isArray(list) || !list.every((role) => typeof role === "string")) return undefined;
  if (list.length === 0) return DEFAULT_ROLES;
  try {
    return normalizeRoles(list);
  } catch {
    return undefined;
  }
}

const SQL_DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * Epoch milliseconds (numbers above 10^11) or seconds, ISO 8601, a zone-less SQL datetime (taken
 * as UTC, not as this machine's zone), or MongoDB extended JSON `{"$date": ...}`.
 */
function timestampOf(raw: unknown): number | undefined {
  if (typeof raw === "object" && raw !== null && "$date" in raw) {
    const inner = raw.$date;
    if (typeof inner === "object" && inner !== null && "$numberLong" in inner)
      return timestampOf(Number(inner.$numberLong));
    return timestampOf(inner);
  }
  if (typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw.trim())) return timestampOf(Number(raw));
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) return undefined;
    return Math.round(raw > 1e11 ? raw : raw * 1000);
  }
  if (typeof raw !== "string") return undefined;
  const text = raw.trim();
  const ms = Date.parse(SQL_DATETIME.test(text) ? `${text.replace(" ", "T")}Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Whether (and when) the old app had verified the address: a boolean (`true`, `"yes"`, `1`: at
 * import time, the only time known), a date (then), or empty/false (not verified).
 */
function verifiedAtOf(raw: unknown, now: number): number | null | "invalid" {
  if (raw === undefined || raw === false || raw === 0) return null;
  if (raw === true || raw === 1) return now;
  if (typeof raw === "string") {
    const text = raw.trim().toLowerCase();
    if (["false", "0", "no", "n", "f"].includes(text)) return null;
    if (["true", "1", "yes", "y", "t"].includes(text)) return now;
  }
  const at = timestampOf(raw);
  return at === undefined || at < 0 ? "invalid" : at;
}

import { normalizeEmail } from "../users/user-fields.js";
import type { Core } from "../core.js";
import type { UserRecord } from "../store/store.js";
import { DataError, UsageError } from "./command.js";

/** How a command line names a user: by email (anything with an `@`) or by id. */
export type UserRef = { email: string } | { id: string };

/**
 * Reads `<email|id>`; an email is normalised as registration does it. Checked before the
 * database is opened: a malformed email is a usage error.
 */
export function parseUserRef(command: string, raw: string): UserRef {
  if (!raw.includes("@")) return { id: raw };
  try {
    return { email: normalizeEmail(raw) };
  } catch {
    throw new UsageError(`${JSON.stringify(raw)} is not an email address`, command);
  }
}

/** The user named, or a data error (exit 65) when there is none. */
export async function findUser(core: Core, ref: UserRef): Promise<UserRecord> {
  const user =
    "email" in ref
      ? await core.store.findUserByEmail(ref.email)
      : await core.store.findUserById(ref.id);
  if (user === null)
    throw new DataError(`No user ${JSON.stringify("email" in ref ? ref.email : ref.id)}`);
  return user;
}

/** Audit events of CLI actions carry no IP; the user agent says where they came from. */
export const CLI_META = { ip: null, userAgent: "baton-cli" };

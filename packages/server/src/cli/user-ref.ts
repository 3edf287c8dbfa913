import { normalizeEmail } from "../accounts/account-fields.js";
import type { Core } from "../core.js";
import type { UserRecord } from "../store/store.js";
import { DataError, UsageError } from "./command.js";

/**
 * The user a command line names, by email (anything with an `@`, normalised like registration
 * does) or by id. No such user is a data error (exit 65), a malformed email a usage error.
 */
export async function findUser(core: Core, command: string, ref: string): Promise<UserRecord> {
  let user: UserRecord | null;
  if (ref.includes("@")) {
    let email: string;
    try {
      email = normalizeEmail(ref);
    } catch {
      throw new UsageError(`${JSON.stringify(ref)} is not an email address`, command);
    }
    user = await core.store.findUserByEmail(email);
  } else {
    user = await core.store.findUserById(ref);
  }
  if (user === null) throw new DataError(`No user ${JSON.stringify(ref)}`);
  return user;
}

/** Audit events of CLI actions carry no IP; the user agent says where they came from. */
export const CLI_META = { ip: null, userAgent: "baton-cli" };

import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { UserRecord } from "../store/store.js";

/**
 * The signed-in caller's record, as `GET /me` shows it: from the profile cache (no database
 * read), or read and cached when it holds none (users/profile-cache.ts: why it is never stale).
 */
export async function currentUser(core: Core, userId: string): Promise<UserRecord> {
  const cached = core.profiles.get(userId);
  if (cached !== undefined) return cached;
  const read = core.profiles.beginRead();
  const user = await core.store.findUserById(userId);
  if (user === null) throw new AuthError("SESSION_REVOKED", "Account no longer exists");
  core.profiles.set(user, read);
  return user;
}

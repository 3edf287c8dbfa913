import type { PublicUser } from "@baton/protocol";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { UserRecord } from "../store/store.js";
import { toPublicUser } from "./user-view.js";

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

const publicViews = new WeakMap<UserRecord, PublicUser>();

/**
 * `toPublicUser`, once per record: a cached record is the same object until it is read again,
 * so `/me` builds its answer (dates formatted and all) once per read, not per request.
 */
export function publicViewOf(user: UserRecord): PublicUser {
  let view = publicViews.get(user);
  if (view === undefined) {
    view = toPublicUser(user);
    publicViews.set(user, view);
  }
  return view;
}

import type { RequestMeta } from "../audit/audit-log.js";
import { revocationStamp, type AuthInfo, type Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { UserRecord } from "../store/store.js";
import { normalizeRoles } from "./account-fields.js";

export async function listUsers(
  core: Core,
  page: { limit: number; offset: number },
): Promise<{ users: UserRecord[]; total: number }> {
  return core.store.listUsers(page);
}

/**
 * Replaces a user's roles. Takes effect at once: the user's token version is raised, so access
 * tokens carrying the old roles answer TOKEN_EXPIRED and the client's refresh picks up the new ones.
 */
export async function setUserRoles(
  core: Core,
  admin: AuthInfo,
  userId: string,
  roles: string[],
  meta: RequestMeta,
): Promise<UserRecord> {
  const normalized = normalizeRoles(roles);
  const user = await core.store.setUserRoles(
    userId,
    normalized,
    revocationStamp(core, "roles-changed"),
  );
  if (user === null) throw new AuthError("NOT_FOUND", "No such user");
  await core.revocations.recorded();
  await core.audit.record("roles.changed", meta, {
    userId,
    sessionId: admin.sessionId,
    detail: { roles: normalized, by: admin.userId },
  });
  return user;
}

/** Deletes a user; every session ends at once. */
export async function deleteUser(
  core: Core,
  admin: AuthInfo,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  if (!(await core.store.deleteUser(userId, revocationStamp(core, "user-deleted"))))
    throw new AuthError("NOT_FOUND", "No such user");
  await core.revocations.recorded();
  await core.audit.record("user.deleted", meta, {
    userId,
    sessionId: admin.sessionId,
    detail: { by: admin.userId },
  });
}

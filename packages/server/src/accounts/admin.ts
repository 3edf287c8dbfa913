import type { RequestMeta } from "../audit/audit-log.js";
import { revocationStamp, type AuthInfo, type Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { UserRecord } from "../store/store.js";
import { normalizeRoles } from "../users/user-fields.js";

/**
 * The role the admin API requires (http/routes/admin-routes.ts) — what "admin" means everywhere:
 * exactly this role name in the user's roles (`Admin` or `administrator` are other roles).
 */
export const ADMIN_ROLE = "admin";

/**
 * Who runs an admin operation, for the audit trail: an admin's session through the HTTP API, or
 * the operator at the command line. The operations below are the same for both.
 */
export interface AdminActor {
  /** The admin's user id, or "cli". */
  by: string;
  sessionId: string | null;
}

export const actorOf = (auth: AuthInfo): AdminActor => ({
  by: auth.userId,
  sessionId: auth.sessionId,
});

export async function listUsers(
  core: Core,
  page: { limit: number; offset: number },
): Promise<{ users: UserRecord[]; total: number }> {
  return core.store.listUsers(page);
}

/**
 * Replaces a user's roles. Takes effect at once: the user's token version is raised, so access
 * tokens carrying the old roles answer TOKEN_EXPIRED and the client's refresh picks up the new ones.
 * Taking the admin role from the last admin is LAST_ADMIN: nobody could reach the admin API again.
 */
export async function setUserRoles(
  core: Core,
  actor: AdminActor,
  userId: string,
  roles: string[],
  meta: RequestMeta,
): Promise<UserRecord> {
  const normalized = normalizeRoles(roles);
  const user = await core.store.setUserRoles(userId, normalized, {
    ...revocationStamp(core, "roles-changed"),
    protectedRole: ADMIN_ROLE,
  });
  if (user === "not-found") throw new AuthError("NOT_FOUND", "No such user");
  if (user === "last-holder") throw lastAdmin("remove the admin role of");
  await core.revocations.recorded();
  await core.audit.record("roles.changed", meta, {
    userId,
    sessionId: actor.sessionId,
    detail: { roles: normalized, by: actor.by },
  });
  return user;
}

/** Deletes a user; every session ends at once. The last admin cannot be deleted (LAST_ADMIN). */
export async function deleteUser(
  core: Core,
  actor: AdminActor,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  const outcome = await core.store.deleteUser(userId, {
    ...revocationStamp(core, "user-deleted"),
    protectedRole: ADMIN_ROLE,
  });
  if (outcome === "not-found") throw new AuthError("NOT_FOUND", "No such user");
  if (outcome === "last-holder") throw lastAdmin("delete");
  await core.revocations.recorded();
  await core.audit.record("user.deleted", meta, {
    userId,
    sessionId: actor.sessionId,
    detail: { by: actor.by },
  });
}

function lastAdmin(action: string): AuthError {
  return new AuthError(
    "LAST_ADMIN",
    `Cannot ${action} the last admin: make another user admin first`,
  );
}

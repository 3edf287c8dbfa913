import { actingSession, type AdminActor, type Administrator } from "../actor.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { AuthInfo, Core } from "../core.js";
import { AuthError } from "../errors.js";
import { revoke } from "../revocation/revoke.js";
import type { UserRecord } from "../store/store.js";
import { normalizeRoles } from "../users/user-fields.js";

/**
 * The role the admin API requires (http/routes/admin-routes.ts) — what "admin" means everywhere:
 * exactly this role name in the user's roles (`Admin` or `administrator` are other roles).
 */
export const ADMIN_ROLE = "admin";

/** The caller of the admin API as an actor; FORBIDDEN without the admin role. */
export function adminActor(auth: AuthInfo): AdminActor {
  if (!auth.roles.includes(ADMIN_ROLE))
    throw new AuthError("FORBIDDEN", `Requires role ${ADMIN_ROLE}`);
  return { kind: "admin", userId: auth.userId, sessionId: auth.sessionId };
}

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
  by: Administrator,
  userId: string,
  roles: string[],
  meta: RequestMeta,
): Promise<UserRecord> {
  const normalized = normalizeRoles(roles);
  const user = await revoke(core, meta, {
    reason: "roles-changed",
    by,
    change: (stamp) =>
      core.store.setUserRoles(userId, normalized, { ...stamp, protectedRole: ADMIN_ROLE }),
    audit: (outcome) =>
      typeof outcome === "string"
        ? null
        : {
            type: "roles.changed",
            userId,
            sessionId: actingSession(by),
            detail: { roles: normalized },
          },
  });
  if (user === "not-found") throw new AuthError("NOT_FOUND", "No such user");
  if (user === "last-holder") throw lastAdmin("remove the admin role of");
  return user;
}

/** Deletes a user; every session ends at once. The last admin cannot be deleted (LAST_ADMIN). */
export async function deleteUser(
  core: Core,
  by: Administrator,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  const outcome = await revoke(core, meta, {
    reason: "user-deleted",
    by,
    change: (stamp) => core.store.deleteUser(userId, { ...stamp, protectedRole: ADMIN_ROLE }),
    audit: (deleted) =>
      deleted === "deleted" ? { type: "user.deleted", userId, sessionId: actingSession(by) } : null,
  });
  if (outcome === "not-found") throw new AuthError("NOT_FOUND", "No such user");
  if (outcome === "last-holder") throw lastAdmin("delete");
}

function lastAdmin(action: string): AuthError {
  return new AuthError(
    "LAST_ADMIN",
    `Cannot ${action} the last admin: make another user admin first`,
  );
}

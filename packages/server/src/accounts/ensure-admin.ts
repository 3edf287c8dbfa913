import { SYSTEM_ACTOR } from "../actor.js";
import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { assertAcceptablePassword } from "../passwords/password-policy.js";
import { revoke } from "../revocation/revoke.js";
import { normalizeEmail } from "../users/user-fields.js";
import { ADMIN_ROLE } from "./admin.js";
import { DEFAULT_ROLES, createAccount } from "./register.js";

/** Baton's configuration acts at startup: no request, no address. */
const STARTUP: RequestMeta = { ip: null, userAgent: null };

/**
 * First setup: make sure `email` is an admin. Creates the account when missing; adds the admin
 * role when the account exists without it. An existing password is never changed.
 */
export async function ensureAdmin(
  core: Core,
  rawEmail: string,
  password: string,
): Promise<"created" | "promoted" | "unchanged"> {
  const email = normalizeEmail(rawEmail);
  const existing = await core.store.findUserByEmail(email);
  if (existing === null) {
    assertAcceptablePassword(password, "ADMIN_PASSWORD");
    await createAccount(
      core,
      SYSTEM_ACTOR,
      { email, name: "Administrator", password, roles: [ADMIN_ROLE, ...DEFAULT_ROLES] },
      STARTUP,
    );
    return "created";
  }
  if (existing.roles.includes(ADMIN_ROLE)) return "unchanged";
  // Only adds a role: no protected role to check. The roles stored are kept as they are.
  const promoted = await revoke(core, STARTUP, {
    reason: "roles-changed",
    by: SYSTEM_ACTOR,
    change: (stamp) => core.store.setUserRoles(existing.id, [ADMIN_ROLE, ...existing.roles], stamp),
    audit: (user) =>
      typeof user === "string"
        ? null
        : {
            type: "roles.changed",
            userId: user.id,
            sessionId: null,
            detail: { roles: user.roles },
          },
  });
  // Deleted meanwhile: start over (create it).
  return promoted === "not-found" ? ensureAdmin(core, rawEmail, password) : "promoted";
}

import type { Core } from "../core.js";
import { revocationStamp } from "../core.js";
import { assertAcceptablePassword } from "../passwords/password-policy.js";
import { normalizeEmail } from "../users/user-fields.js";
import { ADMIN_ROLE } from "./admin.js";
import { DEFAULT_ROLES, createUser } from "./register.js";

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
    await createUser(core, {
      email,
      name: "Administrator",
      password,
      roles: [ADMIN_ROLE, ...DEFAULT_ROLES],
    });
    return "created";
  }
  if (existing.roles.includes(ADMIN_ROLE)) return "unchanged";
  // Only adds a role: no protected role to check. Deleted meanwhile: start over (create it).
  const promoted = await core.store.setUserRoles(
    existing.id,
    [ADMIN_ROLE, ...existing.roles],
    revocationStamp(core, "roles-changed"),
  );
  return promoted === "not-found" ? ensureAdmin(core, rawEmail, password) : "promoted";
}

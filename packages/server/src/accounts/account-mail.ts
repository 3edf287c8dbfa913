import type { Core } from "../core.js";
import { AuthError } from "../errors.js";

/**
 * The mail of a flow that cannot work without it (a reset link nobody receives helps no one):
 * FEATURE_DISABLED when Baton sends no mail (production without SMTP_URL).
 */
export function accountMail(core: Core): NonNullable<Core["mail"]> {
  if (core.mail === null)
    throw new AuthError(
      "FEATURE_DISABLED",
      "This server sends no mail (SMTP_URL is not set), so this feature is off",
    );
  return core.mail;
}

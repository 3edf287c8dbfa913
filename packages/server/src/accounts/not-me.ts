import type { RequestMeta } from "../audit/audit-log.js";
import { findPresentedToken } from "../account-tokens/account-tokens.js";
import { NOT_ME_PURPOSE } from "../account-tokens/not-me-token.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import { revoke } from "../revocation/revoke.js";

/**
 * "This wasn't me", from the link of a security mail (new-device alert, refresh-token reuse,
 * password changed): ends every session of the account at once (access tokens included, through
 * the revocation step) and spends the link, in one transaction, so of two clicks one does it and
 * the other is LINK_INVALID. Answers the account's address, so the page can start a password
 * reset (POST /password/forgot) without asking for it: whoever holds the link read it in that
 * mailbox.
 *
 * What a stolen link can do: sign the owner out everywhere, once, within its week. It cannot
 * sign anyone in, change anything, or read anything but the address it was mailed to.
 */
export async function reportNotMe(
  core: Core,
  token: string,
  meta: RequestMeta,
): Promise<{ email: string; sessionsEnded: number }> {
  const parts = { store: core.store, key: core.accountTokenKey, clock: core.clock };
  // It must outlive a password change: "your password was changed" is the mail it comes in.
  const found = await findPresentedToken(
    parts,
    NOT_ME_PURPOSE,
    { token },
    { survivesPasswordChange: true },
  );
  const ended = await revoke(core, meta, {
    reason: "not-me",
    by: { kind: "link", userId: found.user.id, purpose: NOT_ME_PURPOSE },
    change: (stamp) =>
      core.store.revokeUserSessionsByAccountToken(found.user.id, found.token.id, stamp),
    audit: (ids) =>
      ids === null
        ? null
        : {
            type: "sessions.revoked_all",
            userId: found.user.id,
            sessionId: null,
            detail: { count: ids.length, reason: "not-me" },
          },
  });
  if (ended === null)
    throw new AuthError(
      "LINK_INVALID",
      "This link or code is not valid any more: it expired, was used, or a newer one was sent",
    );
  return { email: found.user.email, sessionsEnded: ended.length };
}

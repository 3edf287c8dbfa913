import type { UserRecord } from "../store/store.js";
import { newAccountToken, type AccountTokenParts } from "./account-tokens.js";

/** The account-token purpose of "this wasn't me" links. */
export const NOT_ME_PURPOSE = "not-me";

/**
 * A week: long enough for someone who reads mail on weekends, short enough that an old alert in
 * a mailbox is not a standing "sign everyone out" button.
 */
export const NOT_ME_TTL_MS = 7 * 86_400_000;

/**
 * Issues a "this wasn't me" token for `user` and returns its secret, for a mail about something
 * that happened to the account (a sign-in from a new device, a reused refresh token, a password
 * change): put `notMeLink(context, token)` in the template. The token is stored (hash only)
 * before the mail is written, in a change of its own; an orphan left by a change that then did
 * not happen is harmless (it can only end the account's sessions, the very thing it offers).
 * Issuing one replaces the user's older unused one: the newest mail's link is the one that works.
 */
export async function issueNotMeToken(parts: AccountTokenParts, user: UserRecord): Promise<string> {
  const { secret, record } = newAccountToken(parts, {
    user,
    purpose: NOT_ME_PURPOSE,
    email: user.email,
    ttlMs: NOT_ME_TTL_MS,
  });
  await parts.store.issueAccountToken(record, []);
  return secret.token;
}

/** The link a template puts in its mail: the application's `not-me` page, token in the fragment. */
export function notMeLink(
  context: { link(path: string, fragment: Record<string, string>): string },
  token: string,
): string {
  return context.link("not-me", { token });
}

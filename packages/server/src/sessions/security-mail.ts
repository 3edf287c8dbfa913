import { issueNotMeToken } from "../account-tokens/not-me-token.js";
import type { Core } from "../core.js";
import type { MailTemplate } from "../mail/mail-template.js";
import type { NewOutboxMessage, UserRecord } from "../store/store.js";

/**
 * A mail telling the user something happened to their account, with a fresh "this wasn't me"
 * link, ready for the outbox of the change that causes it; none when Baton sends no mail (a
 * notice is not worth refusing the sign-in or refresh over).
 */
export async function securityMail<Data extends { notMeToken: string }>(
  core: Core,
  user: UserRecord,
  template: MailTemplate<Data>,
  data: Omit<Data, "notMeToken">,
): Promise<NewOutboxMessage[]> {
  if (core.mail === null) return [];
  const notMeToken = await issueNotMeToken(
    { store: core.store, key: core.accountTokenKey, clock: core.clock },
    user,
  );
  return [
    core.mail.mailer.compose(template, { to: user.email, data: { ...data, notMeToken } as Data }),
  ];
}

/** Sends what a committed change queued at once, rather than at the worker's next poll. */
export function deliverNow(core: Core, outbox: readonly NewOutboxMessage[]): void {
  if (outbox.length > 0) void core.mail?.worker.deliverDue();
}

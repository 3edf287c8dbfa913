import { parseUserAgent } from "@baton/protocol";
import { notMeLink } from "../account-tokens/not-me-token.js";
import { html } from "../mail/html.js";
import type { MailTemplate } from "../mail/mail-template.js";

export interface ReuseMailData {
  /** The User-Agent the ended session signed in with. */
  sessionUserAgent: string | null;
  /** Who presented the old token (address), and when. */
  ip: string | null;
  at: number;
  notMeToken: string;
}

/**
 * A refresh token was used twice (refresh.ts: theft detected, the session ended): tell the user,
 * who may have a copy of their sign-in in someone else's hands, and offer the way out.
 */
export const reuseMail: MailTemplate<ReuseMailData> = (data, context) => {
  const device = parseUserAgent(data.sessionUserAgent).label;
  const when = `${new Date(data.at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const address = data.ip ?? "unknown";
  const link = notMeLink(context, data.notMeToken);
  return {
    subject: `We ended a sign-in to your ${context.appName} account`,
    text: [
      `Someone used an old sign-in of yours (${device}) at ${when} from ${address}. An old sign-in is never used twice by the device it belongs to, so we ended that session to be safe. That device will ask you to sign in again.`,
      "",
      "If you did not expect this, someone may have copied it, or may know your password. Sign everyone out and reset your password here:",
      link,
    ].join("\n"),
    html: html`<p>
        Someone used an old sign-in of yours (${device}) at ${when} from ${address}. An old sign-in
        is never used twice by the device it belongs to, so we ended that session to be safe. That
        device will ask you to sign in again.
      </p>
      <p>
        If you did not expect this, someone may have copied it, or may know your password:
        <a href="${link}">sign everyone out and reset my password</a>.
      </p>`,
    link,
  };
};

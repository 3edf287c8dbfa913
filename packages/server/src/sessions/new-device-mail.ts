import { parseUserAgent } from "@baton/protocol";
import { notMeLink } from "../account-tokens/not-me-token.js";
import { html } from "../mail/html.js";
import type { MailTemplate } from "../mail/mail-template.js";

export interface NewDeviceMailData {
  userAgent: string | null;
  ip: string | null;
  /** The address's approximate place (GEOIP_DATABASE); null when unknown or not configured. */
  location: string | null;
  /** When the sign-in happened (ms). */
  at: number;
  /** The "this wasn't me" token (account-tokens/not-me-token.ts). */
  notMeToken: string;
}

/**
 * "New sign-in to your account": what signed in (device and browser from the User-Agent, the
 * address, the time in UTC, so the mail needs no guess at the reader's zone) and a "this wasn't
 * me" link that ends every session. The facts are what the server saw; a User-Agent is whatever
 * the client sent, which the mail says.
 */
export const newDeviceMail: MailTemplate<NewDeviceMailData> = (data, context) => {
  const device = parseUserAgent(data.userAgent).label;
  const when = `${new Date(data.at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const address = data.ip ?? "unknown";
  const link = notMeLink(context, data.notMeToken);
  return {
    subject: `New sign-in to your ${context.appName} account`,
    text: [
      `Your ${context.appName} account was just signed in to from a device that has not signed in before.`,
      "",
      `Device: ${device} (as the device describes itself)`,
      `IP address: ${address}`,
      ...(data.location === null ? [] : [`Approximate location: ${data.location}`]),
      `Time: ${when}`,
      "",
      "If this was you, there is nothing to do.",
      "",
      "If it wasn't you, someone knows your password. Sign everyone out and reset your password here:",
      link,
    ].join("\n"),
    html: html`<p>
        Your ${context.appName} account was just signed in to from a device that has not signed in
        before.
      </p>
      <ul>
        <li>Device: ${device} (as the device describes itself)</li>
        <li>IP address: ${address}</li>
        ${data.location === null ? "" : html`<li>Approximate location: ${data.location}</li>`}
        <li>Time: ${when}</li>
      </ul>
      <p>If this was you, there is nothing to do.</p>
      <p>
        If it wasn't you, someone knows your password:
        <a href="${link}">this wasn't me — sign everyone out and reset my password</a>.
      </p>`,
    link,
  };
};

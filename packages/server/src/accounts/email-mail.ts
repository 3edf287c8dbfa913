import { displayCode, type AccountSecret } from "../account-tokens/account-secret.js";
import { html } from "../mail/html.js";
import type { MailTemplate } from "../mail/mail-template.js";

/**
 * The mail of the email-address flows: the verification of a new account's address (or of a new
 * address the user asked for), and the notice to the old address after a change, with its undo
 * link. Every link carries its token in the fragment (never sent to a server, never in a log or a
 * `Referer`), and opening it changes nothing: the page submits it.
 */

/** "Confirm your address": link and code. `change` when it confirms an email change. */
export const verifyAddressMail: MailTemplate<{
  secret: AccountSecret;
  change: boolean;
  validHours: number;
}> = ({ secret, change, validHours }, context) => {
  const link = context.link("verify-email", { token: secret.token });
  const code = displayCode(secret.code);
  const why = change
    ? `You asked to use this address for your ${context.appName} account.`
    : `Welcome to ${context.appName}. Please confirm this is your address.`;
  return {
    subject: change
      ? `Confirm your new email address for ${context.appName}`
      : `Confirm your email address for ${context.appName}`,
    text: [
      why,
      "",
      `Confirm it: ${link}`,
      "",
      `Or enter this code: ${code}`,
      "",
      `The link and the code work once, for ${validHours} hours.`,
      "If you did not ask for this, ignore this message: nothing changes.",
    ].join("\n"),
    html: html`<p>${why}</p>
      <p><a href="${link}">Confirm this address</a></p>
      <p>Or enter this code: <strong>${code}</strong></p>
      <p>The link and the code work once, for ${validHours} hours.</p>
      <p>If you did not ask for this, ignore this message: nothing changes.</p>`,
    link,
  };
};

/** To the old address after a change: what happened, and the way back. */
export const emailChangedNoticeMail: MailTemplate<{
  newEmail: string;
  undoToken: string;
  validDays: number;
}> = ({ newEmail, undoToken, validDays }, context) => {
  const link = context.link("undo-email-change", { token: undoToken });
  return {
    subject: `Your ${context.appName} email address was changed`,
    text: [
      `The email address of your ${context.appName} account was changed to ${newEmail}.`,
      "",
      `If this wasn't you, undo it: ${link}`,
      "",
      `This puts this address back and signs out every device (for ${validDays} days).`,
      "Then change your password: whoever made the change may know it.",
    ].join("\n"),
    html: html`<p>
        The email address of your ${context.appName} account was changed to
        <strong>${newEmail}</strong>.
      </p>
      <p>If this wasn't you, <a href="${link}">undo the change</a>.</p>
      <p>This puts this address back and signs out every device (for ${validDays} days).</p>
      <p>Then change your password: whoever made the change may know it.</p>`,
    link,
  };
};

import { notMeLink } from "../account-tokens/not-me-token.js";
import { displayCode, type AccountSecret } from "../account-tokens/account-secret.js";
import { html } from "../mail/html.js";
import type { MailTemplate } from "../mail/mail-template.js";

/** The page a reset link opens; it reads the token from the fragment and submits it. */
export const RESET_PAGE = "reset-password";
/**
 * The reset mail: a link (token in the fragment: never in logs or `Referer`) and the same secret
 * as a short code, for reading the mail on a phone and typing the code on a computer.
 */
export const passwordResetMail: MailTemplate<{
  name: string | null;
  secret: AccountSecret;
  ttlMinutes: number;
}> = (data, context) => {
  const link = context.link(RESET_PAGE, { token: data.secret.token });
  const code = displayCode(data.secret.code);
  const hello = data.name ? `Hello ${data.name},` : "Hello,";
  const ignore = `If you did not ask for this, ignore this mail: your password stays as it is.`;
  return {
    subject: `${context.appName}: reset your password`,
    text: [
      hello,
      "",
      `Someone (we hope you) asked to reset the password of your ${context.appName} account.`,
      `Choose a new password here: ${link}`,
      "",
      `Or enter this code on the reset page: ${code}`,
      "",
      `The link and the code work once, for ${data.ttlMinutes} minutes.`,
      ignore,
    ].join("\n"),
    html: html`<p>${hello}</p>
      <p>Someone (we hope you) asked to reset the password of your ${context.appName} account.</p>
      <p><a href="${link}">Choose a new password</a></p>
      <p>
        Or enter this code on the reset page:
        <strong style="font-family: monospace; font-size: 1.3em">${code}</strong>
      </p>
      <p>The link and the code work once, for ${data.ttlMinutes} minutes.</p>
      <p>${ignore}</p>`,
    link,
  };
};

/**
 * "Your password was changed", after a reset or a signed-in change, with the one-click "this
 * wasn't me" link (it ends every session; its page then starts a password reset).
 */
export const passwordChangedMail: MailTemplate<{
  name: string | null;
  how: "reset" | "changed";
  /** Milliseconds since the epoch. */
  at: number;
  /** From issueNotMeToken (sessions/security-mail.ts issues it). */
  notMeToken: string;
}> = (data, context) => {
  const notMe = notMeLink(context, data.notMeToken);
  const hello = data.name ? `Hello ${data.name},` : "Hello,";
  const what =
    data.how === "reset"
      ? `The password of your ${context.appName} account was reset with a link we mailed you`
      : `The password of your ${context.appName} account was changed`;
  const when = new Date(data.at).toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const signedOut = "Every other device was signed out.";
  return {
    subject: `${context.appName}: your password was changed`,
    text: [
      hello,
      "",
      `${what} (${when}). ${signedOut}`,
      "",
      `If this wasn't you, take your account back now: ${notMe}`,
    ].join("\n"),
    html: html`<p>${hello}</p>
      <p>${what} (${when}). ${signedOut}</p>
      <p>If this wasn't you, <a href="${notMe}">take your account back now</a>.</p>`,
    link: notMe,
  };
};

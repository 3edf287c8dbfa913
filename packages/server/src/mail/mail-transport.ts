import type { OutgoingMail } from "./mail-message.js";

/** Where mail goes: SMTP (smtp/smtp-transport.ts) or the development inbox. */
export interface MailTransport {
  /**
   * Hands the message over; resolves once the receiving side has accepted it. Throws
   * MailRejectedError when retrying cannot help, anything else when it may.
   */
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** The receiving side refused the message for good (SMTP 5xx): it is not retried. */
export class MailRejectedError extends Error {
  override readonly name = "MailRejectedError";
}

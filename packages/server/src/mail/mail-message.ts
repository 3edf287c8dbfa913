/** The outbox kind of mail messages. */
export const MAIL_KIND = "mail";

/** A rendered message as the outbox keeps it (its payload) until it is sent. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** BCP 47 tag, sent as `Content-Language`. */
  locale: string;
  /** The main link, for the development inbox; null when the message has none. */
  link: string | null;
}

/** A message on its way out: `id` is the outbox id, the same at every attempt (its Message-ID). */
export interface OutgoingMail extends MailMessage {
  id: string;
}

export function encodeMail(message: MailMessage): string {
  return JSON.stringify(message);
}

/** Reads a payload back; a payload that is not a message throws (the worker gives it up). */
export function decodeMail(payload: string): MailMessage {
  const value = JSON.parse(payload) as Partial<Record<keyof MailMessage, unknown>> | null;
  const fields = ["to", "subject", "text", "html", "locale"] as const;
  if (
    value === null ||
    typeof value !== "object" ||
    fields.some((field) => typeof value[field] !== "string") ||
    (value.link !== null && typeof value.link !== "string")
  )
    throw new TypeError("The outbox payload is not a mail message");
  return value as MailMessage;
}

import { createTransport, type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { OutgoingMail } from "../mail/mail-message.js";
import { MailRejectedError, type MailTransport } from "../mail/mail-transport.js";
import { maskedUrl } from "../config/masked-url.js";

export interface SmtpTransportOptions {
  /** `smtp://user:password@host:port` or `smtps://…` (resolveMailOptions checked it). */
  url: string;
  /** The From header. */
  from: string;
  /**
   * The domain of Message-IDs (`<outbox-id@domain>`): the same at every attempt, so a receiver
   * that saw a message before can recognise a repeat. Default: the From address's domain.
   */
  messageIdDomain?: string;
}

/**
 * Sends over SMTP with nodemailer, one pooled connection at a time. Every wait is bounded (connect,
 * greeting, an idle socket), so a send never outlasts the delivery worker's claim on a message.
 */
export class SmtpTransport implements MailTransport {
  private readonly transporter: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly domain: string;
  /** The URL with its password masked: the only form of it that may reach a log line. */
  readonly description: string;

  constructor(private readonly options: SmtpTransportOptions) {
    this.description = maskedUrl(options.url);
    this.domain =
      options.messageIdDomain ?? /@([^>\s]+)>?\s*$/.exec(options.from)?.[1] ?? "baton.invalid";
    this.transporter = createTransport({
      url: options.url,
      pool: true,
      maxConnections: 1,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
      // nodemailer would otherwise log nothing, but keep it explicit: its debug output would
      // include the AUTH exchange.
      logger: false,
      debug: false,
    } as SMTPTransport.Options);
  }

  async send(mail: OutgoingMail): Promise<void> {
    try {
      await this.transporter.sendMail({
        from: this.options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@${this.domain}>`,
        headers: { "Content-Language": mail.locale, "Auto-Submitted": "auto-generated" },
      });
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      // 5xx: the server refuses this message for good (unknown mailbox, policy); 4xx and network
      // failures are worth another try.
      if (typeof code === "number" && code >= 500 && code < 600)
        throw new MailRejectedError(`SMTP ${code}: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }

  close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }
}

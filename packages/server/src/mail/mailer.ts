import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { NewOutboxMessage } from "../store/store.js";
import { appLink } from "./app-link.js";
import { html, type Html } from "./html.js";
import type { ResolvedMailOptions } from "../config/mail-options.js";
import { encodeMail, MAIL_KIND } from "./mail-message.js";
import type { MailTemplate } from "./mail-template.js";

/** One message to compose: whom to, the template's data, and (optionally) its locale. */
export interface MailRequest<Data> {
  to: string;
  data: Data;
  /** The per-message locale hook (e.g. the user's language); default MailOptions.defaultLocale. */
  locale?: string;
}

/**
 * Renders messages into outbox entries. It sends nothing: the caller writes the entry in the
 * transaction of the change that causes it (Store changes take `outbox`), and the delivery worker
 * sends it once that change has committed.
 */
export class Mailer {
  constructor(
    private readonly options: ResolvedMailOptions,
    private readonly clock: Clock,
    private readonly newId: () => string = randomUUID,
  ) {}

  compose<Data>(template: MailTemplate<Data>, request: MailRequest<Data>): NewOutboxMessage {
    if (/[\r\n]/.test(request.to) || !request.to.includes("@"))
      throw new TypeError("A mail recipient is one email address");
    const { appName, publicUrl } = this.options;
    const locale = request.locale ?? this.options.defaultLocale;
    const content = template(request.data, {
      appName,
      locale,
      link: (path, fragment) => appLink(publicUrl, path, fragment),
    });
    const id = this.newId();
    return {
      id,
      kind: MAIL_KIND,
      createdAt: this.clock.now(),
      payload: encodeMail({
        to: request.to,
        // A subject is one header line: a line break in it would start a header of its own.
        subject: content.subject.replace(/[\r\n]+/g, " "),
        text: `${content.text}\n\n-- \n${appName}\n`,
        html: layout(appName, locale, content.html).value,
        locale,
        link: content.link ?? null,
      }),
    };
  }
}

/** The frame every HTML message shares: the application's name above, nothing remote loaded. */
function layout(appName: string, locale: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="${locale}">
      <head>
        <meta charset="utf-8" />
        <title>${appName}</title>
      </head>
      <body style="font-family: sans-serif; line-height: 1.5; max-width: 36em">
        <p style="font-weight: bold">${appName}</p>
        ${body}
      </body>
    </html> `;
}

import type { Html } from "./html.js";

/** What a template may use besides its own data. */
export interface MailContext {
  /** The application's name (MailOptions.appName). */
  appName: string;
  /** The message's locale (the per-message hook), else the default one: pick the words by it. */
  locale: string;
  /** A link into the application, below the configured public URL (app-link.ts). */
  link(path: string, fragment?: Record<string, string>): string;
}

/** A rendered message body, before the mailer puts it in its layout. */
export interface MailContent {
  subject: string;
  /** Plain-text body: every mail client shows it, and spam filters expect it beside the HTML. */
  text: string;
  /** HTML body, built with the `html` tag so everything interpolated is escaped. */
  html: Html;
  /** The message's main link (printed by the development inbox). */
  link?: string;
}

/**
 * A message template: a plain function of its data and the context. Templates live with the flow
 * that sends them (one file each).
 */
export type MailTemplate<Data> = (data: Data, context: MailContext) => MailContent;

import type { OutgoingMail } from "./mail-message.js";
import type { MailTransport } from "./mail-transport.js";

/** A message the development inbox received, and when. */
export interface CapturedMail extends OutgoingMail {
  receivedAt: number;
}

export interface DevelopmentInboxOptions {
  /** Messages kept (the newest); older ones are dropped. Default 50. */
  capacity?: number;
  /**
   * Where the one line per message goes. Default: standard error. The line carries the message's
   * link, token included: fine on a developer's console, which is why this transport is for
   * development only and never takes a production logger (whose files are kept).
   */
  print?: (line: string) => void;
  now?: () => number;
}

/**
 * A transport for development: keeps the newest messages in memory (for a development-only page)
 * and prints one line per message with its link, so a newcomer needs no mail server to click
 * through a flow. Not for production: mail never leaves the process.
 */
export class DevelopmentInbox implements MailTransport {
  private readonly capacity: number;
  private readonly print: (line: string) => void;
  private readonly now: () => number;
  private readonly captured: CapturedMail[] = [];

  constructor(options: DevelopmentInboxOptions = {}) {
    this.capacity = options.capacity ?? 50;
    if (!Number.isInteger(this.capacity) || this.capacity < 1)
      throw new TypeError("DevelopmentInbox capacity must be a positive integer");
    this.print = options.print ?? ((line) => process.stderr.write(`${line}\n`));
    this.now = options.now ?? Date.now;
  }

  send(mail: OutgoingMail): Promise<void> {
    this.captured.unshift({ ...mail, receivedAt: this.now() });
    this.captured.length = Math.min(this.captured.length, this.capacity);
    this.print(
      `[development inbox] to ${mail.to}: ${mail.subject}${mail.link === null ? "" : ` ${mail.link}`}`,
    );
    return Promise.resolve();
  }

  /** Newest first. */
  messages(): readonly CapturedMail[] {
    return [...this.captured];
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

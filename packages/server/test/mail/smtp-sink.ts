import type { AddressInfo, Socket } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A message as the SMTP server received it, parsed. */
export interface Received {
  messageId: string;
  envelopeTo: string[];
  parsed: ParsedMail;
}

export interface SmtpSinkOptions {
  user?: string;
  password?: string;
  /**
   * Called when a client announces a sender, with the number of messages received so far: "drop"
   * stops the server there (an outage mid-stream).
   */
  beforeMessage?: (count: number) => "accept" | "drop";
  /** Recipients refused with 550 (a permanent failure). */
  rejectRecipients?: string[];
}

/**
 * A real SMTP server for tests (the `smtp-server` package), on a random port of 127.0.0.1. It can
 * be stopped (connections cut, port closed: an outage) and started again on the same port.
 */
export class SmtpSink {
  readonly received: Received[] = [];
  private server: SMTPServer | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(private readonly options: SmtpSinkOptions) {}

  static async start(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options);
    await sink.listen();
    return sink;
  }

  /** `smtp://user:password@127.0.0.1:port`. */
  get url(): string {
    const auth =
      this.options.user === undefined
        ? ""
        : `${encodeURIComponent(this.options.user)}:${encodeURIComponent(this.options.password ?? "")}@`;
    return `smtp://${auth}127.0.0.1:${this.port}`;
  }

  /** Message-IDs of what arrived, in order. */
  messageIds(): string[] {
    return this.received.map((message) => message.messageId);
  }

  async listen(): Promise<void> {
    const { user, password } = this.options;
    const server = new SMTPServer({
      secure: false,
      disabledCommands: user === undefined ? ["STARTTLS", "AUTH"] : ["STARTTLS"],
      allowInsecureAuth: true,
      authOptional: user === undefined,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === user && auth.password === password)
          callback(null, { user: auth.username });
        else callback(new Error("Invalid username or password"));
      },
      onMailFrom: (_address, _session, callback) => {
        // The outage starts here: the sender is never answered, so the message is not accepted.
        if (this.options.beforeMessage?.(this.received.length) === "drop") {
          void this.stop();
          return;
        }
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        if (this.options.rejectRecipients?.includes(address.address)) {
          const error = new Error("Mailbox unavailable") as Error & { responseCode: number };
          error.responseCode = 550;
          callback(error);
        } else callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.received.push({
              messageId: parsed.messageId ?? "",
              envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              parsed,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    server.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    server.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The outage: every connection cut, the port closed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}

import { Server } from "socket.io";
import { startServer, type RunningServer, type ServerOptions } from "@baton/server";
import { batonSocketAuth } from "@baton/server/socket";
import { attachChat, type ChatHub } from "./chat/chat-hub.js";
import { chatRoutes } from "./chat/chat-routes.js";
import type { MessageStore } from "./chat/message-store.js";
import { openMessageStore } from "./chat/open-message-store.js";
import { UserDirectory } from "./chat/user-directory.js";
import { serveSpa } from "./spa-static.js";

/** The development inbox's JSON (development without SMTP_URL only). */
export const DEV_INBOX_PATH = "/api/dev/inbox";

export interface DemoServerOptions extends Omit<ServerOptions, "configure"> {
  /** The built single-page app (Vite's output). Without it, pages say how to build it. */
  staticDir?: string | undefined;
  /** How often Baton checks live sockets for revocation and expiry. Default 250 ms. */
  socketSweepIntervalMs?: number;
  /**
   * socket.io heartbeat: a connection whose peer stays silent for `interval + timeout` is
   * considered lost. Defaults 25 s and 20 s (socket.io's own).
   */
  socketPing?: { intervalMs: number; timeoutMs: number };
}

export interface DemoServer extends RunningServer {
  io: Server;
  chat: ChatHub;
  messages: MessageStore;
}

/**
 * Baton standalone plus the chat, on one origin: Baton's auth API (`/api/auth`), the chat API
 * (`/api/chat`, behind `requireAuth()`), socket.io (`/socket.io`, behind Baton's socket
 * authentication) and the single-page app, all served by one Fastify app on one port.
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const { staticDir, socketSweepIntervalMs, socketPing, ...serverOptions } = options;
  let messages: MessageStore | undefined;
  let io: Server | undefined;
  let chat: ChatHub | undefined;

  let running: RunningServer;
  try {
    running = await startServer({
      ...serverOptions,
      async configure(app, baton) {
        messages = await openMessageStore(baton.config.databaseUrl);
        const directory = new UserDirectory(baton.store);

        // socket.io shares the HTTP server: engine.io answers /socket.io/ and hands every other
        // request to Fastify.
        io = new Server(app.server, {
          serveClient: false,
          ...(socketPing && {
            pingInterval: socketPing.intervalMs,
            pingTimeout: socketPing.timeoutMs,
          }),
        });
        io.use(batonSocketAuth(baton, { sweepIntervalMs: socketSweepIntervalMs }).middleware);
        chat = attachChat(io, { messages, directory });

        await app.register(chatRoutes({ baton, messages, directory, hub: chat }), {
          prefix: "/api/chat",
        });
        // Development without SMTP_URL keeps mail in Baton's development inbox: show it at
        // /dev/inbox. Production (or a configured SMTP server) has no inbox and no such route.
        const inbox = baton.mail?.inbox ?? null;
        if (inbox !== null && !baton.config.production) {
          app.get(DEV_INBOX_PATH, async (_request, reply) => {
            void reply.header("cache-control", "no-store");
            return {
              messages: inbox.messages().map((mail) => ({
                id: mail.id,
                to: mail.to,
                subject: mail.subject,
                text: mail.text,
                link: mail.link,
                receivedAt: mail.receivedAt,
              })),
            };
          });
        }
        serveSpa(
          app,
          staticDir,
          inbox !== null && !baton.config.production ? { devInbox: DEV_INBOX_PATH } : {},
        );

        const liveIo = io;
        // Open WebSockets would keep app.close() waiting: end them first, then the engine.
        app.addHook("preClose", (done) => {
          liveIo.disconnectSockets(true);
          liveIo.engine.close();
          done();
        });
      },
    });
  } catch (error) {
    await messages?.close();
    throw error;
  }

  const store = messages!;
  return {
    ...running,
    io: io!,
    chat: chat!,
    messages: store,
    async close() {
      await running.close();
      await store.close();
    },
  };
}

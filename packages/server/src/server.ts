import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { internalsOf } from "./baton-internals.js";
import { createBaton, type Baton } from "./baton.js";
import { createFastifyPlugin } from "./fastify/fastify-plugin.js";
import type { BatonOptions } from "./config/options.js";
import { SERVER_OPTIONS } from "./config/option-table.js";
import { AuthError } from "./errors.js";
import { errorReply } from "./http/error-reply.js";
import { sendReply } from "./fastify/send-reply.js";
import { fromFastifyError } from "./fastify/fastify-errors.js";
import { withRequestSerializer } from "./logging.js";

export interface ServerOptions extends BatonOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0. */
  host?: string;
  /**
   * Which proxies may set X-Forwarded-For/-Proto: false (default: the socket address is the
   * client), true, a hop count, or a list of addresses/CIDRs. Spoofed headers from anyone else
   * change nothing.
   */
  trustProxy?: boolean | number | string[];
  /** Also mount these on the app before it listens (static files, your own routes). */
  configure?: (app: FastifyInstance, baton: Baton) => Promise<void> | void;
  /** Printed names of options (environment variable names) for error messages. */
  optionNames?: Parameters<typeof createBaton>[1];
}

export interface RunningServer {
  /** `http://host:port` as reachable from this machine. */
  url: string;
  app: FastifyInstance;
  baton: Baton;
  close(): Promise<void>;
}

/**
 * Baton as a standalone service: a Fastify app with the auth routes, JWKS and health check.
 *
 * @example
 * const server = await startServer({ port: 0, databaseUrl: "sqlite::memory:" });
 * console.log(server.url); await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  // createBaton refuses options it does not take: the server's own stay here.
  const batonOptions: Record<string, unknown> = { ...options };
  for (const key of Object.keys(SERVER_OPTIONS)) delete batonOptions[key];
  const baton = await createBaton(batonOptions, options.optionNames);
  // pino's Logger type is wider than Fastify's logger type; pin the instance to the default one.
  const logger: FastifyBaseLogger = withRequestSerializer(baton.logger);
  const app = Fastify({
    loggerInstance: logger,
    trustProxy: trustProxySetting(options.trustProxy),
    bodyLimit: baton.config.bodyLimit,
    return503OnClosing: true,
  });
  try {
    const { core, routes, pipeline } = internalsOf(baton);
    await app.register(createFastifyPlugin(core, routes, pipeline));
    app.setNotFoundHandler((_request, reply) =>
      sendReply(reply, errorReply(new AuthError("NOT_FOUND", "No such endpoint"), baton.logger)),
    );
    app.setErrorHandler((error, _request, reply) =>
      sendReply(reply, errorReply(fromFastifyError(error, baton.config.bodyLimit), baton.logger)),
    );
    await options.configure?.(app, baton);
    const host = options.host ?? "0.0.0.0";
    await app.listen({ port: options.port ?? 3000, host });
    const address = app.server.address();
    const port =
      typeof address === "object" && address !== null ? address.port : (options.port ?? 3000);
    const shownHost =
      host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
    return {
      url: `http://${shownHost}:${port}`,
      app,
      baton,
      async close() {
        await app.close();
        await baton.close();
      },
    };
  } catch (error) {
    await app.close().catch(() => undefined);
    await baton.close();
    throw error;
  }
}

/** Fastify takes a hop count as a function (proxy-addr's trust(address, hopIndex)). */
function trustProxySetting(
  value: ServerOptions["trustProxy"],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value === "number") return (_address, hop) => hop < value;
  return value ?? false;
}

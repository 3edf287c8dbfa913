#!/usr/bin/env node
/**
 * `npm start`: the demo server. Reads the same environment as `baton serve` (PORT, HOST,
 * DATABASE_URL, ACCESS_TOKEN_TTL, …; docs/configuration.md), serves the built web app, the auth
 * API, the chat API and socket.io on one origin, and stops cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError } from "@baton/server";
import { demoBanner } from "./banner.js";
import { demoEnv, withDevelopmentAdmin } from "./demo-env.js";
import { startDemoServer } from "./demo-server.js";

// Exit codes of `baton serve`.
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 78;

/** The web app: `dist/client` next to `dist/server` when compiled, or `../dist/client` from source. */
function findStaticDir(): string | undefined {
  const candidates = ["../client/", "../dist/client/"].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(`${dir}index.html`));
}

async function main(): Promise<void> {
  const parsed = demoEnv(process.env);
  if (parsed.problems.length > 0) throw new ConfigError(parsed.problems);
  const env = withDevelopmentAdmin(parsed);
  for (const warning of env.warnings) process.stderr.write(`warning: ${warning}\n`);

  const staticDir = findStaticDir();
  const server = await startDemoServer({
    ...env.options,
    port: env.port,
    host: env.host,
    trustProxy: env.trustProxy,
    optionNames: env.optionNames,
    staticDir,
  });
  if (!server.baton.config.production) {
    const banner = demoBanner(server, {
      admin: env.admin,
      publicUrl: process.env.DEMO_PUBLIC_URL,
      spaBuilt: staticDir !== undefined,
    });
    process.stderr.write(`${banner}\n`);
  }
  server.baton.logger.info({ url: server.url }, "Baton demo listening");

  const stop = (signal: string) => {
    server.baton.logger.info({ signal }, "shutting down");
    server.close().then(
      () => process.exit(0),
      () => process.exit(EXIT_FAILURE),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  process.stderr.write(
    `Baton demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(EXIT_FAILURE);
});

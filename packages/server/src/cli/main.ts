#!/usr/bin/env node
import { ConfigError } from "../config/resolve.js";
import { optionsFromEnv, serverEnv } from "../config/env.js";
import { startServer } from "../server.js";
import { developmentBanner } from "./banner.js";

const HELP = `Usage: baton [serve] [--help]

  serve     Start the Baton auth server (default). Configured by environment variables:
            PORT, HOST, DATABASE_URL, ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, BATON_SECRET, ...
            (every variable: docs/configuration.md)

Exit codes: 0 stopped cleanly, 1 runtime failure, 2 usage error, 78 invalid configuration.
`;

async function main(argv: string[]): Promise<number> {
  const [command = "serve", ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help" || rest.includes("--help")) {
    process.stdout.write(HELP);
    return 0;
  }
  if (command !== "serve") {
    process.stderr.write(`Unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }

  const fromEnv = optionsFromEnv(process.env);
  const server = serverEnv(process.env);
  const problems = [...fromEnv.problems, ...server.problems];
  if (problems.length > 0) throw new ConfigError(problems);
  for (const warning of fromEnv.warnings) process.stderr.write(`warning: ${warning}\n`);

  const running = await startServer({
    ...fromEnv.options,
    ...server.value,
    optionNames: { ...fromEnv.names },
  });
  if (!running.baton.config.production) process.stderr.write(`${developmentBanner(running)}\n`);
  running.baton.logger.info({ url: running.url }, "Baton listening");

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      running.baton.logger.info({ signal }, "shutting down");
      running.close().then(resolve, resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(
      `Baton failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);

import { ConfigError } from "../../config/resolve.js";
import { optionsFromEnv, serverEnv } from "../../config/env.js";
import { startServer } from "../../server.js";
import { developmentBanner } from "../banner.js";
import { announceNewDatabase } from "../environment.js";
import { parseCommandLine, type Command } from "../command.js";

export const serve: Command = {
  help: `Usage: baton serve

Starts the Baton auth server and runs until SIGINT or SIGTERM. Configured by environment
variables: PORT, HOST, DATABASE_URL, ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL, BATON_SECRET, ...
(every variable: docs/configuration.md). Outside production a banner on stderr says what was
generated and where.

Exit codes: 0 stopped cleanly, 1 runtime failure, 2 usage error, 78 invalid configuration.
`,

  async run(args, io) {
    if (parseCommandLine("serve", serve, io, { args, options: {} }) === undefined) return 0;

    const fromEnv = optionsFromEnv(io.env);
    const server = serverEnv(io.env);
    const problems = [...fromEnv.problems, ...server.problems];
    if (problems.length > 0) throw new ConfigError(problems);
    for (const warning of fromEnv.warnings) io.stderr.write(`warning: ${warning}\n`);
    announceNewDatabase(io);

    const running = await startServer({
      ...fromEnv.options,
      ...server.value,
      optionNames: { ...fromEnv.names },
    });
    if (!running.baton.config.production) io.stderr.write(`${developmentBanner(running)}\n`);
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
  },
};

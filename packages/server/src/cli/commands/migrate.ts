import { parseCommandLine, writeJson, type Command } from "../command.js";
import { redactUrl } from "../../logging.js";
import { databaseUrlFromEnv, openStoreAt } from "../environment.js";

export const migrate: Command = {
  help: `Usage: baton migrate [--json]

Opens the database named by DATABASE_URL (default sqlite:./data/baton.db), brings its schema up
to date with Baton's versioned migrations, and exits. \`baton serve\` runs the same migrations at
start; run this first when several instances share one database, or in a deploy step. Safe to
run again: an up-to-date database is left as it is.

Options:
  --json        Print {"database", "durationMs"} instead of a sentence.

Exit codes: 0 schema up to date, 1 database unreachable or a migration failed,
2 usage error, 78 invalid DATABASE_URL.
`,

  async run(args, io) {
    const parsed = parseCommandLine("migrate", migrate, io, {
      args,
      options: { json: { type: "boolean" } },
    });
    if (parsed === undefined) return 0;
    const url = databaseUrlFromEnv(io.env);
    const started = performance.now();
    const store = await openStoreAt(url, io);
    try {
      await store.ping();
    } finally {
      await store.close();
    }
    const durationMs = Math.round(performance.now() - started);
    if (parsed.values.json) writeJson(io, { database: redactUrl(url), durationMs });
    else io.stdout.write(`Database ${redactUrl(url)}: schema up to date (${durationMs} ms).\n`);
    return 0;
  },
};

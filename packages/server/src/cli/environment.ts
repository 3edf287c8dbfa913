import { pino, type Logger } from "pino";
import type { Baton } from "../baton.js";
import { optionsFromEnv } from "../config/env.js";
import { ConfigError, resolveConfig } from "../config/resolve.js";
import type { Store } from "../store/store.js";
import type { CliIo } from "./command.js";
import { newDatabaseNotice } from "./new-database-notice.js";

// The server and the database drivers are imported when a command runs, not when it is parsed:
// `--help` and usage errors answer at once.

/**
 * Logs of one-shot commands go to stderr, so stdout carries only the command's output (and stays
 * parseable with `--json`). Quiet by default: LOG_LEVEL raises it.
 */
export function cliLogger(env: NodeJS.ProcessEnv): Logger {
  return pino(
    {
      level: env.LOG_LEVEL || "warn",
      redact: { paths: ["headers.authorization", "headers.cookie"], censor: "[redacted]" },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/**
 * Baton configured exactly as `baton serve` would be from the same environment (same database,
 * root secret and key ring), for commands that use the core. Closed after `use`, whatever happens.
 */
export async function withBaton<T>(io: CliIo, use: (baton: Baton) => Promise<T>): Promise<T> {
  const fromEnv = optionsFromEnv(io.env);
  if (fromEnv.problems.length > 0) throw new ConfigError(fromEnv.problems);
  for (const warning of fromEnv.warnings) io.stderr.write(`warning: ${warning}\n`);
  announceNewDatabase(io);
  const { createBaton } = await import("../baton.js");
  const baton = await createBaton({ ...fromEnv.options, logger: cliLogger(io.env) }, fromEnv.names);
  try {
    return await use(baton);
  } finally {
    await baton.close();
  }
}

/**
 * The database URL from the environment (DATABASE_URL, default `sqlite:./data/baton.db`),
 * validated like the server validates it. For commands that need the store only.
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv): string {
  const fromEnv = optionsFromEnv(env);
  const problems = fromEnv.problems.filter((problem) => problem.startsWith("DATABASE_URL"));
  if (problems.length > 0) throw new ConfigError(problems);
  // Only the URL is checked: a migration or an import needs no secret, even in production.
  return resolveConfig(
    { databaseUrl: fromEnv.options.databaseUrl, production: false },
    { databaseUrl: fromEnv.names.databaseUrl ?? "DATABASE_URL" },
  ).databaseUrl;
}

/** Says which SQLite file is about to be created, if one is (see newDatabaseNotice). */
export function announceNewDatabase(io: CliIo, databaseUrl = databaseUrlFromEnv(io.env)): void {
  const notice = newDatabaseNotice(databaseUrl, io.env);
  if (notice !== undefined) io.stderr.write(notice);
}

/** Opens (and migrates) the store a database URL names, saying so first if it creates it. */
export async function openStoreAt(databaseUrl: string, io: CliIo): Promise<Store> {
  announceNewDatabase(io, databaseUrl);
  const { openStore } = await import("../store/open-store.js");
  return openStore(databaseUrl);
}

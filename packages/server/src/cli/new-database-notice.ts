import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * What to say before a command creates a SQLite database that does not exist yet: its absolute
 * path, and that it is the default when DATABASE_URL is unset. Run outside a project, `baton`
 * would otherwise leave a ./data/baton.db (and its root secret) wherever it was started, without
 * a word (issue 13). Nothing for a file that exists, an in-memory database or PostgreSQL.
 */
export function newDatabaseNotice(
  databaseUrl: string,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): string | undefined {
  const file = /^sqlite:(.+)$/.exec(databaseUrl)?.[1];
  if (file === undefined || file === ":memory:") return undefined;
  const path = resolve(cwd, file);
  if (existsSync(path)) return undefined;
  return env.DATABASE_URL
    ? `baton: creating a new SQLite database at ${path}\n`
    : `baton: DATABASE_URL is not set: creating a new SQLite database at ${path} (set DATABASE_URL to sqlite:<file> or postgres://… to use another)\n`;
}

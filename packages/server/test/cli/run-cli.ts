import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// tsx runs the TypeScript entry point directly (as in http/cli-and-curl.test.ts): no build step.
const tsx = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs"),
).href;
const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `baton` CLI in a child process, with only the given environment (plus PATH), in
 * `cwd`, feeding `input` to its stdin. Resolves with the exit code and both outputs.
 */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsx, main, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** A scratch directory with a SQLite database URL in it; `remove()` when done. */
export function scratchDatabase(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `baton-${prefix}-`));
  const databaseUrl = `sqlite:${join(dir, "baton.db")}`;
  return {
    dir,
    databaseUrl,
    env: { DATABASE_URL: databaseUrl } as NodeJS.ProcessEnv,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

import { spawn, type ChildProcess } from "node:child_process";
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
 * `cwd`, feeding `input` to its stdin. Resolves with the exit code and both outputs. A process
 * still running after `killAfterMs` (e.g. a server that started where it should have refused) is
 * killed and resolves with code null, so the test fails on its assertion instead of hanging.
 */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; killAfterMs?: number } = {},
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
    const timer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 28_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * Starts the real `baton` CLI as a long-running process (`serve`) and resolves once its combined
 * output matches `ready`; rejects with the output if it exits first. `stop()` sends SIGTERM and
 * waits for the exit.
 */
export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ready: RegExp },
): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", tsx, main, ...args], {
    env: { PATH: process.env.PATH, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.ready.test(output)) resolve({ child, output: () => output, stop });
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", (code) =>
      reject(new Error(`baton exited ${code} before ready:\n${output}`)),
    );
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

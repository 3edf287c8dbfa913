// The bench's child processes (servers and load generators) and the scratch folder they share.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { PIN, root } from "./settings.js";

const tsx = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs"),
).href;
/** Database files and token lists of this run; removed when the bench exits. */
export const work = mkdtempSync(join(tmpdir(), "baton-bench-"));
const children = new Set<ChildProcess>();
// One root secret for every server of the run: they share databases between restarts.
const SECRET = randomBytes(32).toString("base64url");
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

/**
 * Runs a script in its own Node process, pinned to `core` when pinning is on: TypeScript through
 * tsx, a `.mjs` file (the built packages) in plain Node.
 */
export function node(
  script: string,
  args: string[],
  env: Record<string, string>,
  core: number,
  extraFlags: string[] = [],
): ChildProcess {
  const loader = script.endsWith(".mjs") ? [] : ["--import", tsx];
  const command = [process.execPath, ...extraFlags, ...loader, script, ...args];
  const [file, ...rest] = PIN ? ["taskset", "-c", String(core), ...command] : command;
  const child = spawn(file!, rest, {
    cwd: root,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(root, "tsconfig.test.json"),
      NODE_ENV: "production",
      BENCH_SECRET: SECRET,
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/**
 * The first line a child prints as its report, as JSON: how servers and the load generator
 * report. Log lines (pino's JSON, e.g. a production warning) come before it and are skipped.
 */
export async function firstLine<T>(child: ChildProcess): Promise<T> {
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const parsed = JSON.parse(line) as T & { level?: unknown; msg?: unknown };
    if (parsed.level === undefined || parsed.msg === undefined) return parsed;
  }
  throw new Error("process ended without output");
}

/** Starts a server of bench/servers on the server core (or `core`); resolves once it listens. */
export async function startTarget(
  script: string,
  env: Record<string, string> = {},
  flags: string[] = [],
  core = 0,
) {
  const child = node(join(root, "bench/servers", script), [], env, core, flags);
  const info = await firstLine<{ url: string; rss?: number; baselineRss: number }>(child);
  return {
    ...info,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const main = join(root, "apps/demo/server/main.ts");
// tsx runs the demo's entry point from source, its @baton/* imports mapped to the sources.
const tsx = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs"),
).href;

/**
 * Runs `npm start`'s server (apps/demo/server/main.ts) in `cwd` with only `env` (plus PATH); ends
 * it once `until` matches its stderr, or lets it exit. Resolves with the exit code and stderr.
 */
function runDemo(env: NodeJS.ProcessEnv, cwd: string, until?: RegExp) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsx, main], {
      cwd,
      env: { PATH: process.env.PATH, TSX_TSCONFIG_PATH: join(root, "tsconfig.test.json"), ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (until?.test(stderr)) child.kill("SIGTERM");
    });
    // A server that started where it should have refused is ended, so the test fails, not hangs.
    const timer = setTimeout(() => child.kill("SIGKILL"), 28_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe.concurrent("the demo's `npm start` server", () => {
  const dir = mkdtempSync(join(tmpdir(), "baton-demo-main-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts with zero configuration and NODE_ENV unset, in development mode", async () => {
    const result = await runDemo(
      { PORT: "0", HOST: "127.0.0.1" },
      dir,
      /={78}\n[^]*={78}\n[^]*={78}\n/,
    );
    expect(result.stderr).toContain("BATON DEMO: real-time chat on Baton, in DEVELOPMENT mode");
    expect(result.stderr).toMatch(
      /Mail {10}kept in the development inbox: http:\/\/\S+\/dev\/inbox/,
    );
    expect(result.stderr).not.toContain("warning:");
  });

  // Issue 12 item 6: refused like `baton serve`, exit 78 with the fix and without the secret.
  it("refuses a placeholder secret with NODE_ENV=Production: exit 78", async () => {
    const secret = "your_jwt_secret_key_change_in_production";
    const result = await runDemo(
      { NODE_ENV: "Production", BATON_SECRET: secret, DATABASE_URL: "sqlite::memory:", PORT: "0" },
      dir,
    );
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/BATON_SECRET is too weak: .*baton secret/);
    expect(result.stderr).not.toContain(secret);
  });
});

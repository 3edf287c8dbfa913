import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";

const run = promisify(execFile);
// tsx runs the TypeScript entry point directly, so these tests need no build step.
const tsx = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs"),
).href;
const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const node = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ["--import", tsx, main, ...args], {
    env: { PATH: process.env.PATH, ...env },
  }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );

describe("the baton command", () => {
  it("prints help and exits 0", async () => {
    const result = await node(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: baton");
  });
  it("exits 2 on an unknown command", async () => {
    expect((await node(["frobnicate"])).code).toBe(2);
  });
  it("refuses to start in production without a secret (exit 78) and says why", async () => {
    const result = await node(["serve"], {
      NODE_ENV: "production",
      DATABASE_URL: "sqlite::memory:",
      PORT: "0",
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/BATON_SECRET is required in production/);
  });
  it("stops on an invalid variable, naming it", async () => {
    const result = await node(["serve"], {
      ACCESS_TOKEN_TTL: "soon",
      DATABASE_URL: "sqlite::memory:",
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/ACCESS_TOKEN_TTL: "soon" is not a duration/);
  });
});

// Seed 002's "Testing" section, with curl and a cookie jar, against `baton serve` with defaults.
describe("the seed's curl flow against a started server", () => {
  const dir = mkdtempSync(join(tmpdir(), "baton-curl-"));
  let child: ChildProcess;
  let base = "";
  const curl = async (...args: string[]) =>
    (await run("curl", ["-s", "-w", "\n%{http_code}", ...args], { cwd: dir })).stdout;
  const split = (output: string) => {
    const lines = output.trimEnd().split("\n");
    const status = Number(lines.pop());
    const text = lines.join("\n");
    return { status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ["--import", tsx, main, "serve"], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let banner = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on("data", (chunk: Buffer) => {
        banner += chunk.toString();
        if (banner.includes("DEVELOPMENT mode") && banner.trimEnd().endsWith("=".repeat(78)))
          resolve();
      });
      child.on("exit", (code) => reject(new Error(`server exited ${code}: ${banner}`)));
    });
    expect(banner).toContain("Root secret   GENERATED now and saved to data/baton.secret");
    expect(banner).toMatch(/Signing key {3}Ed25519 kid=\S+ {2}\(GENERATED now/);
  });
  afterAll(() => {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("register, login, refresh, me, logout", async () => {
    const json = ["-H", "Content-Type: application/json"];
    const registered = split(
      await curl(
        "-X",
        "POST",
        `${base}/api/auth/register`,
        ...json,
        "-d",
        '{"email":"test@example.com","password":"password123"}',
      ),
    );
    expect(registered.status).toBe(201);
    const login = split(
      await curl(
        "-X",
        "POST",
        `${base}/api/auth/login`,
        ...json,
        "-d",
        '{"email":"test@example.com","password":"password123"}',
        "-c",
        "cookies.txt",
      ),
    );
    expect(login.status).toBe(200);
    expect(readFileSync(join(dir, "cookies.txt"), "utf8")).toMatch(
      /#HttpOnly_127\.0\.0\.1\s+FALSE\s+\/api\/auth\s+FALSE\s+\d+\s+refresh_token\s+[A-Za-z0-9_-]{43}/,
    );
    const refreshed = split(
      await curl(
        "-X",
        "POST",
        `${base}/api/auth/refresh-token`,
        "-b",
        "cookies.txt",
        "-c",
        "cookies.txt",
      ),
    );
    expect(refreshed.status).toBe(200);
    const me = split(
      await curl(
        `${base}/api/auth/me`,
        "-H",
        `Authorization: Bearer ${refreshed.body!.accessToken}`,
      ),
    );
    expect(me).toMatchObject({ status: 200, body: { user: { email: "test@example.com" } } });
    const logout = split(
      await curl(
        "-X",
        "POST",
        `${base}/api/auth/logout`,
        "-H",
        `Authorization: Bearer ${refreshed.body!.accessToken}`,
        "-b",
        "cookies.txt",
        "-c",
        "cookies.txt",
      ),
    );
    expect(logout.status).toBe(204);
    const after = split(
      await curl("-X", "POST", `${base}/api/auth/refresh-token`, "-b", "cookies.txt"),
    );
    expect(after.body!.error.code).toBe("REFRESH_MISSING");
  });
});

import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify, stripVTControlCharacters as stripAnsi } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port.js";
import { localSqlitePrebuild } from "./sqlite-prebuild.js";

// Issue 13 item 3: every command the README and docs/ show works on a fresh clone, in the order
// they show it. `npx baton serve` used to fail right after `npm ci` and the build: npm links a
// workspace's bins when it installs, before dist/ exists, so `baton` was never linked (and npx
// then looked for an unrelated `baton` on the registry). The bin is now a committed file.
//
// Two parts: an inventory (every npm/npx/node command in the docs is listed below, with where it
// runs), and a fresh copy of the repository (the files a clone would get, outside this checkout)
// where the clone workflow is run as written: npm ci, npx baton before and after the build, the
// README's curl session against `npx baton serve`, and `npm start`.

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const run = promisify(execFile);

/** Each command the docs show, and what runs it. "here": this file, on the fresh copy. */
const DOC_COMMANDS: Record<string, string> = {
  "npm ci": "here",
  "npm start": "here",
  "npm run build": "here",
  "npx baton serve": "here",
  "npx baton": "here",
  "npx baton …": "here",
  "npx baton secret": "here",
  "npm exec -w @baton/server -- baton secret": "here",
  "npm exec -w @baton/server -- baton …": "here",
  "node packages/server/dist/cli/main.js …": "here",
  curl: "here (the README's session, against npx baton serve)",
  "npm install @baton/server":
    "pack.test.ts (the packed tarballs, in an app outside the repository)",
  "npm test": "the suite itself",
  "npm run dev": "here",
  "ACCESS_TOKEN_TTL=10s npm start":
    "npm start (here) with an environment variable (configuration tests)",
  "DEMO_API_URL=http://host:port npm run dev": "here (against npx baton serve)",
  "npm run bench":
    "bench/run.ts: minutes on idle cores, run by hand; its output is docs/benchmarks.md",
  "npm run soak": "npm test (test:soak)",
  "npm run test:timed": "npm test (its second Vitest pass)",
  "node --cpu-prof": "a Node flag named in docs/benchmarks.md's profiles, not a command to run",
  "npm install maxmind":
    "test/unit/geoip.test.ts and test/accounts/sign-in-events.test.ts (maxmind is a devDependency)",
  "npm run audit:deps": "npm audit: needs the registry's advisory service; run in CI",
  "npm audit --omit=dev --audit-level=high": "npm run audit:deps",
  "npx vitest run packages/server/test/security": "npm test",
  "npx openapi-typescript http://localhost:3000/api/auth/openapi.json -o baton-api.d.ts":
    "packages/server/test/openapi/generated-client.test.ts",
};

/** npm/npx/node commands in the docs: in sh blocks, and in inline code. */
function docCommands(): Set<string> {
  const files = [
    "README.md",
    ...readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(root, file), "utf8");
    for (const [, block] of text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
      for (const line of block!.split("\n")) {
        if (/^curl /.test(line)) found.add("curl");
        // Each command of the line (`a && b`, `(umask 077; b)`); none inside `$(…)`, part of curl's.
        for (const part of line.replace(/\$\([^)]*\)/g, "").split(/&&|;|\(/)) {
          const command =
            /^\s*((?:[A-Z_]+=\S* )*(?:npm|npx|node) [^#>|)\\]*?)\s*(?:[#>|)\\]|$)/.exec(part)?.[1];
          // Deployment examples set the environment of `npx baton serve`: the command is the same.
          if (command !== undefined)
            found.add(command.replace(/^(?:[A-Z_]+=\S* )+(?=npx baton serve)/, ""));
        }
      }
    }
    for (const [, code] of text.matchAll(/`((?:[A-Z_]+=\S+ )?(?:npm|npx|node) [^`]+)`/g))
      found.add(code!);
  }
  return found;
}

describe("the commands in README.md and docs/", () => {
  it("are each run by a test (here or elsewhere), and the list names no command the docs dropped", () => {
    const shown = docCommands();
    expect([...shown].filter((command) => !(command in DOC_COMMANDS))).toEqual([]);
    expect(Object.keys(DOC_COMMANDS).filter((command) => !shown.has(command))).toEqual([]);
  });
});

describe("a fresh copy of the repository, commands in the order the README shows them", () => {
  let clone: string;
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...process.env,
    // No registry fallback: a `baton` that is not linked must fail, not fetch a stranger.
    npm_config_offline: "true",
    DATABASE_URL: undefined,
    NODE_ENV: undefined,
    ...extra,
  });
  const sh = async (
    command: string,
    extra: NodeJS.ProcessEnv = {},
  ): Promise<{ code?: number; stdout: string; stderr: string; failed?: true }> => {
    try {
      return await run("bash", ["-c", command], {
        cwd: clone,
        env: env(extra),
        maxBuffer: 64 << 20,
      });
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: failed.code,
        stdout: failed.stdout ?? "",
        stderr: failed.stderr ?? "",
        failed: true,
      };
    }
  };

  beforeAll(async () => {
    clone = mkdtempSync(join(tmpdir(), "baton-clone-"));
    // What `git clone` of this working tree would hold: tracked and new files, not ignored ones.
    const { stdout } = await run(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      {
        cwd: root,
        maxBuffer: 64 << 20,
      },
    );
    for (const file of stdout.split("\0").filter(Boolean)) {
      if (!existsSync(join(root, file))) continue; // deleted, not yet committed
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      copyFileSync(join(root, file), join(clone, file));
    }
    const install = await sh("npm ci --prefer-offline --no-audit --no-fund", {
      npm_config_offline: undefined,
      npm_config_nodedir: "/usr",
      npm_config_better_sqlite3_local_prebuilds: await localSqlitePrebuild(root, clone),
    });
    expect(install, "npm ci").not.toHaveProperty("failed");
  }, 600_000);

  afterAll(() => {
    if (clone !== undefined) rmSync(clone, { recursive: true, force: true });
  });

  it("npm ci links `baton`; before `npm run build` it says to build", async () => {
    expect(existsSync(join(clone, "node_modules/.bin/baton"))).toBe(true);
    const early = await sh("npx baton --help");
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("run `npm run build` first");
  }, 60_000);

  it("npm run build, then npx baton, npm exec -w @baton/server and node …/main.js", async () => {
    expect(await sh("npm run build")).not.toHaveProperty("failed");
    const secret = await sh("npx baton secret");
    expect(secret.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const viaWorkspace = await sh("npm exec -w @baton/server -- baton secret");
    expect(viaWorkspace.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const help = await sh("node packages/server/dist/cli/main.js --help");
    expect(help.stdout).toContain("Usage: baton [command] [options]");
  }, 180_000);

  it("npx baton serve, then the README's curl session", async () => {
    const port = await freePort();
    const server = await startUntil("npx baton serve", { PORT: String(port) }, /Baton listening/);
    try {
      const readme = readFileSync(join(clone, "README.md"), "utf8");
      const session = /```sh\n(curl[\s\S]*?)```/
        .exec(readme)![1]!
        .replaceAll("localhost:3000", `localhost:${port}`);
      const result = await sh(`set -e\n${session}`);
      expect(result).not.toHaveProperty("failed");
      expect(result.stdout).toContain('"email":"test@example.com"'); // /me, with the token from login
      expect(result.stdout).not.toContain('"error"');
      expect(server.output()).toContain(
        `creating a new SQLite database at ${join(clone, "data/baton.db")}`,
      );
    } finally {
      await server.stop();
    }
  }, 120_000);

  it("npm start serves the demo and Baton on one origin", async () => {
    const port = await freePort();
    const server = await startUntil("npm start", { PORT: String(port) }, /Baton demo listening/);
    try {
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 240_000);

  it("npm run dev: Vite with the demo server behind its proxy; DEMO_API_URL=… a server of yours", async () => {
    const vitePage = /Local:\s+http:\/\/localhost:(\d+)/;
    const dev = await startUntil(
      "npm run dev",
      { DEMO_API_PORT: String(await freePort()) },
      /Baton demo listening/,
    );
    try {
      const port = vitePage.exec(stripAnsi(dev.output()))![1];
      expect((await fetch(`http://localhost:${port}/`)).status).toBe(200);
      expect((await fetch(`http://localhost:${port}/healthz`)).status).toBe(200); // proxied
    } finally {
      await dev.stop();
    }
    const apiPort = await freePort();
    const api = await startUntil("npx baton serve", { PORT: String(apiPort) }, /Baton listening/);
    try {
      const own = await startUntil(
        "npm run dev",
        { DEMO_API_URL: `http://127.0.0.1:${apiPort}` },
        vitePage,
      );
      try {
        const port = vitePage.exec(stripAnsi(own.output()))![1];
        const jwks = await fetch(`http://localhost:${port}/.well-known/jwks.json`);
        expect(jwks.status).toBe(200);
        expect(own.output()).not.toContain("Baton demo listening"); // no second server
      } finally {
        await own.stop();
      }
    } finally {
      await api.stop();
    }
  }, 240_000);

  /** Starts `command` in its own process group; resolves when its output matches `ready`. */
  async function startUntil(command: string, extra: NodeJS.ProcessEnv, ready: RegExp) {
    const child = spawn("bash", ["-c", `exec ${command}`], {
      cwd: clone,
      env: env(extra),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const exited = once(child, "exit");
    await new Promise<void>((resolve, reject) => {
      const seen = (chunk: Buffer) => {
        output += String(chunk);
        if (ready.test(stripAnsi(output))) resolve();
      };
      child.stdout.on("data", seen);
      child.stderr.on("data", seen);
      void exited.then(([code]) =>
        reject(new Error(`${command} exited with ${String(code)}:\n${output}`)),
      );
    });
    return {
      output: () => output,
      async stop() {
        process.kill(-child.pid!, "SIGTERM");
        await exited;
      },
    };
  }
});

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSqlitePrebuild } from "./sqlite-prebuild.js";

// Issue 13 item 2: the packages as an adopting team gets them. Every workspace package is packed
// with `npm pack`, the tarballs are installed from the registry's point of view (no workspace, no
// links) into an app in the system's temporary folder, outside this repository, and that app is
// type-checked with skipLibCheck false, built, and run. One install serves every entry point
// (Express 5, Fastify 5, a Node ESM client script, a Vite + React app, a moduleResolution "node"
// consumer), so the test costs one `npm install`.

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const fixture = fileURLToPath(new URL("./consumer/", import.meta.url));
const PACKAGES = ["protocol", "verify", "client", "server"] as const;
const run = promisify(execFile);

let work: string;
let app: string;
const tarballs = new Map<string, string>();

async function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  try {
    return await run(command, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}\n${stderr ?? ""}`,
    );
  }
}

const tarList = async (tarball: string) =>
  (await sh("tar", ["-tzf", tarball], work)).stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "baton-pack-"));
  expect(work.startsWith(root)).toBe(false);
  for (const name of PACKAGES) {
    const { stdout } = await sh(
      "npm",
      ["pack", "--json", "--pack-destination", work, "-w", `packages/${name}`],
      root,
    );
    const [packed] = JSON.parse(stdout) as [{ filename: string }];
    tarballs.set(name, join(work, packed.filename));
  }
  app = join(work, "app");
  cpSync(fixture, app, { recursive: true });
  const tarball = (name: string) => `file:${tarballs.get(name)!}`;
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({
      name: "adopting-app",
      private: true,
      type: "module",
      dependencies: {
        "@baton/protocol": tarball("protocol"),
        "@baton/verify": tarball("verify"),
        "@baton/client": tarball("client"),
        "@baton/server": tarball("server"),
        express: "^5.1.0",
        fastify: "^5.4.0",
        react: "^19.1.0",
        "react-dom": "^19.1.0",
      },
      devDependencies: {
        "@types/express": "^5.0.3",
        "@types/node": "^20.19.0",
        "@types/react": "^19.1.0",
        "@types/react-dom": "^19.1.0",
        typescript: "~5.9.3",
        vite: "^8.0.0",
      },
    }),
  );
  // The npm cache makes this a local copy after the first run (sqlite-prebuild.ts: better-sqlite3).
  await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], app, {
    npm_config_nodedir: "/usr",
    npm_config_better_sqlite3_local_prebuilds: await localSqlitePrebuild(root, work),
  });
}, 600_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe.each(PACKAGES)("the @baton/%s tarball", (name) => {
  it("has a README, engines, dist and no source map that points at a missing file", async () => {
    const files = await tarList(tarballs.get(name)!);
    expect(files).toContain("README.md");
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    const manifest = JSON.parse(
      readFileSync(join(app, "node_modules/@baton", name, "package.json"), "utf8"),
    ) as {
      engines?: { node?: string };
    };
    expect(manifest.engines?.node).toBe(">=20.19");
    const missing: string[] = [];
    for (const map of files.filter((file) => file.endsWith(".map"))) {
      const { sources } = JSON.parse(
        readFileSync(join(app, "node_modules/@baton", name, map), "utf8"),
      ) as { sources: string[] };
      for (const source of sources) {
        const target = posix.normalize(posix.join(posix.dirname(map), source));
        if (!files.includes(target)) missing.push(`${map} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("an app outside the repository that installed the tarballs", () => {
  it("installs no database driver or import parser it does not use", () => {
    for (const driver of ["pg", "ioredis", "csv-parse", "stream-json", "socket.io"])
      expect(existsSync(join(app, "node_modules", driver)), driver).toBe(false);
  });

  it("type-checks with skipLibCheck false: Node servers, the Vite app, moduleResolution node", async () => {
    // skipLibCheck false: every declaration file the packages pull in is checked, theirs included.
    await Promise.all(
      ["tsconfig.json", "tsconfig.web.json", "tsconfig.node10.json"].map((project) =>
        sh("npx", ["tsc", "-p", project], app),
      ),
    );
  }, 300_000);

  it("builds the Vite + React app", async () => {
    await sh("npx", ["vite", "build", "--config", "vite.config.mjs"], app);
    expect(existsSync(join(app, "web/dist/index.html"))).toBe(true);
  }, 120_000);

  it("names the driver to install when the configuration asks for PostgreSQL or Redis", async () => {
    const { stdout } = await sh("node", ["dist/missing-drivers.js"], app);
    expect(stdout).toContain('A postgres:// DATABASE_URL needs the package "pg"');
    expect(stdout).toContain("npm install pg");
    expect(stdout).toContain('REDIS_URL needs the package "ioredis"');
    expect(stdout).toContain("npm install ioredis");
  }, 60_000);

  it("npx baton runs Baton's command, and import-users names its parser", async () => {
    const offline = { npm_config_offline: "true" }; // never a package of that name from the registry
    const help = await sh("npx", ["baton", "--help"], app, offline);
    expect(help.stdout).toContain("Usage: baton [command] [options]");
    writeFileSync(join(app, "users.csv"), "email,password_hash\nada@example.com,x\n");
    const refused = await run("npx", ["baton", "import-users", "users.csv", "--dry-run"], {
      cwd: app,
      env: { ...process.env, ...offline, DATABASE_URL: `sqlite:${join(app, "cli.db")}` },
    }).catch((error: { stderr: string }) => error);
    expect(refused.stderr).toContain('Importing CSV needs the package "csv-parse"');
  }, 60_000);

  it("runs the Express app: register, protected route, refresh, and the Node client", async () => {
    const server = await start("dist/express-app.js");
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const registered = await fetch(`${base}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "ada@example.com", password: "correct horse battery" }),
      });
      expect(registered.status).toBe(201);
      const body = (await registered.json()) as { accessToken: string; user: { id: string } };
      const cookie = registered.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const notes = await fetch(`${base}/api/notes`, {
        headers: { authorization: `Bearer ${body.accessToken}` },
      });
      expect(await notes.json()).toEqual({ owner: body.user.id, notes: [] });
      expect((await fetch(`${base}/api/notes`)).status).toBe(401);
      const refreshed = await fetch(`${base}/api/auth/refresh`, {
        method: "POST",
        headers: { cookie, origin: base },
      });
      expect(refreshed.status).toBe(200);
      expect(((await refreshed.json()) as { accessToken: string }).accessToken).toBeTypeOf(
        "string",
      );

      const { stdout } = await sh("node", ["client.mjs"], app, { BATON_URL: base });
      expect(JSON.parse(stdout)).toEqual({ owner: body.user.id, notes: [] });
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("runs the Fastify app", async () => {
    const server = await start("dist/fastify-app.js");
    try {
      const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

async function start(entry: string): Promise<{ port: number; stop(): Promise<void> }> {
  const data = mkdtempSync(join(work, "data-"));
  const child: ChildProcess = spawn("node", [entry], {
    cwd: app,
    env: { PATH: process.env.PATH, DATABASE_URL: `sqlite:${join(data, "app.db")}` },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // The port on stdout, or the exit (a crash) first: then the test fails at once, not at its timeout.
  const line = await Promise.race([
    once(child.stdout!, "data").then(([data]) => String(data)),
    once(child, "exit").then(([code]) => {
      throw new Error(`${entry} exited with ${String(code)} before listening`);
    }),
  ]);
  return {
    port: Number(line.trim()),
    async stop() {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { TestClient } from "../support/http-client.js";
import { freePort } from "../support/free-port.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const tsx = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/loader.mjs"),
).href;

// The README's embedding examples, run as they are.
describe.each(["fastify-app.ts", "express-app.ts"])("examples/%s", (file) => {
  it("serves Baton's routes and protects the app's own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-example-"));
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", tsx, join(root, "examples", file)], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATABASE_URL: `sqlite:${join(dir, "app.db")}`,
        LOG_LEVEL: "warn",
        TSX_TSCONFIG_PATH: join(root, "tsconfig.test.json"),
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(child.stdout, "data")) as [Buffer];
      expect(line.toString()).toContain("listening");
      const client = new TestClient(`http://127.0.0.1:${port}`);
      const registered = await client.post("/api/auth/register", {
        email: "ada@example.com",
        password: "correct horse battery",
      });
      expect(registered.status).toBe(201);
      const notes = await client.get("/api/notes", registered.body.accessToken);
      expect(notes.body).toEqual({ owner: registered.body.user.id, notes: [] });
      expect((await client.get("/api/notes")).status).toBe(401);
      const reports = await client.get("/api/reports", registered.body.accessToken);
      expect(reports.status).toBe(403);
      expect(reports.body.error.code).toBe("FORBIDDEN");
    } finally {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

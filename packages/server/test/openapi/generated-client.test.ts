import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

// The OpenAPI document as outside tooling uses it (issue 13.6): Redocly's recommended lint, then
// openapi-typescript types and an openapi-fetch client compiled against them and run against a
// real server, all from the document this server serves.

const run = promisify(execFile);
const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const clientDir = fileURLToPath(new URL("./client/", import.meta.url));
const resolve = createRequire(import.meta.url).resolve;
const redoclyCli = join(dirname(resolve("@redocly/cli/package.json")), "bin", "cli.js");
const tsc = resolve("typescript/bin/tsc");

/** Runs a Node script and answers what it printed, whether it exited 0 or not. */
async function runNode(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    return (await run(process.execPath, args, { env: { ...process.env, ...env } })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return stdout || stderr || "";
  }
}

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string }>;
}

interface Outcome {
  registered: { accessToken: string; refreshToken?: string; user: { id: string; email: string } };
  me: { id: string; email: string; name: string | null; roles: string[] };
  refreshed: { accessToken: string; refreshToken?: string; tokenType: string };
  anonymous: { status: number; code: string };
}

describe("the served OpenAPI document, used by outside tools", () => {
  let server: TestServer;
  let documentUrl: string;
  let work: string;

  beforeAll(async () => {
    server = await startTestServer("fastify");
    documentUrl = `${server.url}/api/auth/openapi.json`;
    work = mkdtempSync(join(tmpdir(), "baton-openapi-client-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("passes Redocly's recommended lint with no error and no warning", async () => {
    const stdout = await runNode(
      [redoclyCli, "lint", documentUrl, "--config", join(repo, "redocly.yaml"), "--format=json"],
      { REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    );
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("says who may call each operation, and documents the refusals of Bearer and role routes", async () => {
    const document = (await server.client().get("/api/auth/openapi.json")).body as {
      servers: { url: string }[];
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.servers).toEqual([{ url: "/", description: expect.any(String) }]);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        at: `${method} ${path}`,
        operation,
      })),
    );
    expect(operations.length).toBeGreaterThan(20);
    const security = (operationId: string) =>
      operations.find(({ operation }) => operation.operationId === operationId)?.operation.security;
    expect(security("register")).toEqual([]);
    expect(security("refresh")).toEqual([{ refreshCookie: [] }, {}]);
    expect(security("logout")).toEqual([{ refreshCookie: [] }, { bearer: [] }, {}]);
    expect(security("getMe")).toEqual([{ bearer: [] }]);
    expect(security("listUsers")).toEqual([{ bearer: ["admin"] }]);
    for (const { at, operation } of operations) {
      expect(operation.security, at).toBeDefined();
      const bearer = operation.security!.find((entry) => "bearer" in entry)?.bearer;
      if (
        bearer === undefined ||
        operation.security!.some((entry) => Object.keys(entry).length === 0)
      )
        continue;
      expect(Object.keys(operation.responses), at).toContain("401");
      if (bearer.length > 0)
        expect(operation.responses["403"]?.description, at).toMatch(/FORBIDDEN/);
    }
  });

  it("gives openapi-typescript named schemas, and a client on them compiles and runs register → me → refresh", async () => {
    const types = astToString(await openapiTS(new URL(documentUrl)));
    for (const name of ["User", "TokenResponse", "Error", "ErrorCode", "Session", "SessionList"])
      expect(types).toMatch(new RegExp(`^ {8}${name}: `, "m"));

    writeFileSync(join(work, "baton-api.d.ts"), types);
    writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
    for (const file of ["register-me-refresh.ts", "tsconfig.json"])
      copyFileSync(join(clientDir, file), join(work, file));
    symlinkSync(join(repo, "node_modules"), join(work, "node_modules"), "dir");
    const compiled = await runNode([tsc, "-p", work]);
    expect(compiled).toBe("");

    // The very file tsc just checked; a computed specifier keeps the repository's tsc out of it.
    const client = (await import(pathToFileURL(join(work, "register-me-refresh.ts")).href)) as {
      registerMeRefresh(baseUrl: string, email: string): Promise<Outcome>;
    };
    const outcome = await client.registerMeRefresh(server.url, "ada@example.com");
    expect(outcome.registered.user.email).toBe("ada@example.com");
    expect(outcome.me).toMatchObject({ id: outcome.registered.user.id, name: "Ada" });
    expect(outcome.refreshed.tokenType).toBe("Bearer");
    expect(outcome.refreshed.refreshToken).toEqual(expect.any(String));
    expect(outcome.refreshed.refreshToken).not.toBe(outcome.registered.refreshToken);
    expect(outcome.anonymous).toEqual({ status: 401, code: "TOKEN_MISSING" });
  });
});

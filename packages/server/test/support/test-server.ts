import { mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import {
  createBaton,
  startServer,
  type AuditEvent,
  type Baton,
  type ServerOptions,
} from "@baton/server";
import { batonExpress } from "@baton/server/express";
import { ManualClock } from "./manual-clock.js";
import { TestClient } from "./http-client.js";

export type Adapter = "fastify" | "express";

export interface TestServer {
  url: string;
  baton: Baton;
  clock: ManualClock;
  events: AuditEvent[];
  client(): TestClient;
  dir: string;
  close(): Promise<void>;
}

/**
 * A real Baton on a real port over a real SQLite file, mounted through the chosen adapter, with a
 * manual clock. The host app also has `/api/private` (requireAuth), `/api/staff` (requireRole
 * "staff") and `/api/verified` (requireVerifiedEmail) so the guards are exercised the way an embedding app uses them.
 */
export async function startTestServer(
  adapter: Adapter = "fastify",
  options: ServerOptions = {},
): Promise<TestServer> {
  const clock = new ManualClock();
  const events: AuditEvent[] = [];
  const dir = mkdtempSync(join(tmpdir(), "baton-test-"));
  const settings: ServerOptions = {
    databaseUrl: `sqlite:${join(dir, "baton.db")}`,
    logger: false,
    clock,
    authRateLimit: 0,
    onAuditEvent: (event) => events.push(event),
    ...options,
  };
  const privateBody = (auth: unknown) => ({ ok: true, auth });

  if (adapter === "fastify") {
    const server = await startServer({
      ...settings,
      port: 0,
      host: "127.0.0.1",
      configure(app, baton) {
        app.get("/api/private", { preHandler: baton.requireAuth() }, (request) =>
          privateBody(request.auth),
        );
        app.get("/api/staff", { preHandler: baton.requireRole("staff") }, (request) =>
          privateBody(request.auth),
        );
        app.get("/api/verified", { preHandler: baton.requireVerifiedEmail() }, (request) =>
          privateBody(request.auth),
        );
      },
    });
    return {
      url: server.url,
      baton: server.baton,
      clock,
      events,
      dir,
      client: () => new TestClient(server.url),
      async close() {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  // trustProxy is the host app's setting (below), not an option of createBaton.
  const { trustProxy: _trustProxy, ...batonSettings } = settings;
  const baton = await createBaton(batonSettings);
  const app = express();
  // Express reads X-Forwarded-For only when told to, as Fastify does with `trustProxy`.
  if (options.trustProxy !== undefined) app.set("trust proxy", options.trustProxy);
  app.use(batonExpress(baton));
  app.get("/api/private", baton.requireAuth(), (request, response) => {
    response.json(privateBody((request as unknown as { auth: unknown }).auth));
  });
  app.get("/api/staff", baton.requireRole("staff"), (request, response) => {
    response.json(privateBody((request as unknown as { auth: unknown }).auth));
  });
  app.get("/api/verified", baton.requireVerifiedEmail(), (request, response) => {
    response.json(privateBody((request as unknown as { auth: unknown }).auth));
  });
  const listener = app.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return {
    url,
    baton,
    clock,
    events,
    dir,
    client: () => new TestClient(url),
    async close() {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await baton.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PASSWORD = "correct horse battery";

/** Registers a user through the API and returns its client (cookie jar filled) and tokens. */
export async function signUp(
  server: TestServer,
  email: string,
  extra: Record<string, unknown> = {},
) {
  const client = server.client();
  const response = await client.post("/api/auth/register", { email, password: PASSWORD, ...extra });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    client,
    accessToken: response.body.accessToken as string,
    user: response.body.user as { id: string; roles: string[] },
    response,
  };
}

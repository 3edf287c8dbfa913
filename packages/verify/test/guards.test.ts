import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "@baton/server";
import { authOf, createVerifier, type Verifier } from "@baton/verify";
import { ManualClock } from "../../server/test/support/manual-clock.js";
import { PASSWORD, jwksUrl, signIn, startBaton } from "./baton-fixture.js";

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/**
 * A resource server as a third party would write it: its own Fastify or Express app, no
 * @baton/server, guarding `/notes` (any user), `/admin` (role admin) and `/verified` (a verified
 * address) with @baton/verify.
 */
async function resourceServer(
  kind: "fastify" | "express",
  verifier: Verifier,
): Promise<{ url: string; close(): Promise<void> }> {
  if (kind === "fastify") {
    const app: FastifyInstance = Fastify();
    app.get("/notes", { preHandler: verifier.fastify() }, (request) => ({ auth: authOf(request) }));
    app.get("/admin", { preHandler: verifier.fastify({ roles: ["admin"] }) }, (request) => ({
      auth: authOf(request),
    }));
    app.get("/verified", { preHandler: verifier.fastify({ verifiedEmail: true }) }, (request) => ({
      auth: authOf(request),
    }));
    const url = await app.listen({ port: 0, host: "127.0.0.1" });
    return { url, close: () => app.close() };
  }
  const app = express();
  app.get("/notes", verifier.express(), (request, response) => {
    response.json({ auth: authOf(request) });
  });
  app.get("/admin", verifier.express({ roles: ["admin"] }), (request, response) => {
    response.json({ auth: authOf(request) });
  });
  app.get("/verified", verifier.express({ verifiedEmail: true }), (request, response) => {
    response.json({ auth: authOf(request) });
  });
  const listener = app.listen(0, "127.0.0.1");
  await once(listener, "listening");
  return {
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => listener.close(() => resolve())),
  };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as unknown,
  };
}

describe.each(["fastify", "express"] as const)("the %s guard", (kind) => {
  const clock = new ManualClock();
  let baton: RunningServer;
  let app: Awaited<ReturnType<typeof resourceServer>>;
  let userToken: string;
  let adminToken: string;
  let userId: string;
  beforeAll(async () => {
    baton = await startBaton({
      clock,
      adminEmail: "root@example.com",
      adminPassword: PASSWORD,
    });
    const verifier = createVerifier({
      jwksUrl: jwksUrl(baton),
      issuer: "baton",
      audience: "baton",
      clock,
    });
    app = await resourceServer(kind, verifier);
    ({
      accessToken: userToken,
      user: { id: userId },
    } = await signIn(baton, "ada@example.com"));
    adminToken = (await signIn(baton, "root@example.com", "login")).accessToken;
  });
  afterAll(async () => {
    await app.close();
    await baton.close();
  });

  it("lets a valid token through and puts {userId, sessionId, roles, emailVerified} on the request", async () => {
    const reply = await get(`${app.url}/notes`, { authorization: `Bearer ${userToken}` });
    expect(reply.status).toBe(200);
    expect(reply.body.auth).toEqual({
      userId,
      sessionId: expect.any(String),
      roles: ["user"],
      emailVerified: false,
    });
  });

  it("answers 401 TOKEN_MISSING with a bare Bearer challenge when there is no token", async () => {
    const reply = await get(`${app.url}/notes`);
    expect(reply).toMatchObject({
      status: 401,
      body: { error: { code: "TOKEN_MISSING", message: expect.any(String) } },
    });
    expect(reply.headers.get("www-authenticate")).toBe('Bearer realm="baton"');
    expect(reply.headers.get("cache-control")).toBe("no-store");
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it('answers 401 TOKEN_INVALID with error="invalid_token" for a bad token', async () => {
    const reply = await get(`${app.url}/notes`, { authorization: `Bearer ${userToken}x` });
    expect(reply).toMatchObject({ status: 401, body: { error: { code: "TOKEN_INVALID" } } });
    expect(reply.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="baton", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(JSON.stringify(reply.body)).not.toContain(userToken.slice(-20));
  });

  it("answers 403 EMAIL_NOT_VERIFIED without a verified address (the operator's admin has one)", async () => {
    const denied = await get(`${app.url}/verified`, { authorization: `Bearer ${userToken}` });
    expect(denied).toMatchObject({
      status: 403,
      body: { error: { code: "EMAIL_NOT_VERIFIED", message: expect.any(String) } },
    });
    const allowed = await get(`${app.url}/verified`, { authorization: `Bearer ${adminToken}` });
    expect([allowed.status, allowed.body.auth.emailVerified]).toEqual([200, true]);
  });

  it("answers 403 FORBIDDEN when the role is missing, and lets the admin in", async () => {
    const denied = await get(`${app.url}/admin`, { authorization: `Bearer ${userToken}` });
    expect(denied).toMatchObject({
      status: 403,
      body: { error: { code: "FORBIDDEN", message: "Requires role admin" } },
    });
    const allowed = await get(`${app.url}/admin`, { authorization: `Bearer ${adminToken}` });
    expect(allowed.status).toBe(200);
    expect(allowed.body.auth.roles).toContain("admin");
  });

  it("answers 401 TOKEN_EXPIRED once the token has expired", async () => {
    const { accessToken } = await signIn(baton, `late-${kind}@example.com`);
    clock.advance(16 * 60_000);
    const reply = await get(`${app.url}/notes`, { authorization: `Bearer ${accessToken}` });
    expect(reply).toMatchObject({ status: 401, body: { error: { code: "TOKEN_EXPIRED" } } });
    expect(reply.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});

describe.each(["fastify", "express"] as const)("the %s guard when Baton is down", (kind) => {
  it("answers 503 UNAVAILABLE with Retry-After, never a 401", async () => {
    const baton = await startBaton();
    const { accessToken } = await signIn(baton, "ada@example.com");
    const verifier = createVerifier({
      jwksUrl: jwksUrl(baton),
      issuer: "baton",
      audience: "baton",
    });
    await baton.close();
    const app = await resourceServer(kind, verifier);
    try {
      const reply = await get(`${app.url}/notes`, { authorization: `Bearer ${accessToken}` });
      expect(reply).toMatchObject({ status: 503, body: { error: { code: "UNAVAILABLE" } } });
      expect(reply.headers.get("retry-after")).toBe("5");
      expect(reply.headers.get("www-authenticate")).toBeNull();
    } finally {
      await app.close();
    }
  });
});

/**
 * The session hint cookie (`baton_session=1`, SESSION_HINT_COOKIE in @baton/protocol): readable
 * by scripts, set whenever the refresh cookie is set and cleared whenever it is cleared, so that
 * @baton/client skips the restore request (and its red 401) on an anonymous first visit.
 */
import { randomBytes } from "node:crypto";
import { SESSION_HINT_COOKIE } from "@baton/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  PASSWORD,
  signUp,
  startTestServer,
  type Adapter,
  type TestServer,
} from "../support/test-server.js";

/** The Set-Cookie line of one cookie, by name. */
function line(setCookies: string[], name: string): string | undefined {
  return setCookies.find((cookie) => cookie.startsWith(`${name}=`));
}

/** Attributes of a Set-Cookie line, lower-cased names, without the name=value pair. */
function attributes(cookie: string): Map<string, string> {
  const [, ...parts] = cookie.split(";").map((part) => part.trim());
  return new Map(
    parts.map((part) => {
      const [name = "", value = ""] = part.split("=");
      return [name.toLowerCase(), value];
    }),
  );
}

function expectHintSet(setCookies: string[], refreshName = "refresh_token"): void {
  const refresh = line(setCookies, refreshName);
  const hint = line(setCookies, SESSION_HINT_COOKIE);
  expect(refresh, "the refresh cookie").toBeDefined();
  expect(hint, "the hint cookie next to it").toBeDefined();
  expect(hint!.split(";")[0]).toBe(`${SESSION_HINT_COOKIE}=1`);
  const r = attributes(refresh!);
  const h = attributes(hint!);
  expect(h.has("httponly"), "scripts must be able to read the hint").toBe(false);
  // Path=/ so the page itself can read it; the refresh cookie stays scoped to the auth routes.
  expect(h.get("path")).toBe("/");
  expect(h.get("samesite")).toBe(r.get("samesite"));
  expect(h.has("secure")).toBe(r.has("secure"));
  expect(h.get("max-age")).toBe(r.get("max-age"));
}

function expectHintCleared(setCookies: string[]): void {
  const hint = line(setCookies, SESSION_HINT_COOKIE);
  expect(hint, "the hint is cleared with the refresh cookie").toBeDefined();
  expect(hint!.split(";")[0]).toBe(`${SESSION_HINT_COOKIE}=`);
  expect(attributes(hint!).get("max-age")).toBe("0");
  expect(attributes(hint!).get("path")).toBe("/");
}

describe.each<Adapter>(["fastify", "express"])("the session hint cookie through %s", (adapter) => {
  let server: TestServer;
  afterEach(() => server.close());

  it("is set with the refresh cookie by register, login, refresh and password change, with its SameSite, Secure and expiry", async () => {
    server = await startTestServer(adapter);
    const { client, response, accessToken } = await signUp(server, "ada@example.com");
    expectHintSet(response.setCookies);
    const login = await server
      .client()
      .post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
    expectHintSet(login.setCookies);
    const refreshed = await client.post("/api/auth/refresh");
    expect(refreshed.status).toBe(200);
    expectHintSet(refreshed.setCookies);
    const changed = await client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "another long passphrase" },
      { token: accessToken },
    );
    expect(changed.status).toBe(200);
    expectHintSet(changed.setCookies);
  });

  it("is not set when the refresh token travels in the body (no cookie, nothing to hint)", async () => {
    server = await startTestServer(adapter);
    const registered = await server.client().post("/api/auth/register", {
      email: "ada@example.com",
      password: PASSWORD,
      transport: "body",
    });
    expect(registered.status).toBe(201);
    expect(line(registered.setCookies, SESSION_HINT_COOKIE)).toBeUndefined();
  });

  it("is cleared by logout and logout-all", async () => {
    server = await startTestServer(adapter);
    const ada = await signUp(server, "ada@example.com");
    const out = await ada.client.post("/api/auth/logout");
    expect(out.status).toBe(204);
    expectHintCleared(out.setCookies);
    const bob = await signUp(server, "bob@example.com");
    const all = await bob.client.post("/api/auth/logout-all", undefined, {
      token: bob.accessToken,
    });
    expect(all.status).toBe(204);
    expectHintCleared(all.setCookies);
  });

  it("is cleared when a refresh fails: reuse detected, session revoked, unknown token", async () => {
    server = await startTestServer(adapter);
    const { client } = await signUp(server, "ada@example.com");
    const stale = client.jar.get("refresh_token")!;
    expect((await client.post("/api/auth/refresh")).status).toBe(200);
    expect((await client.post("/api/auth/refresh")).status).toBe(200);
    server.clock.advance(60_000);
    const reused = await server.client().post("/api/auth/refresh", undefined, {
      headers: { cookie: `refresh_token=${stale}; ${SESSION_HINT_COOKIE}=1` },
    });
    expect(reused.status).toBe(401);
    expectHintCleared(reused.setCookies);
    const revoked = await client.post("/api/auth/refresh");
    expect(revoked.status).toBe(401);
    expectHintCleared(revoked.setCookies);
    const unknown = await server.client().post("/api/auth/refresh", undefined, {
      headers: { cookie: `refresh_token=${"x".repeat(43)}` },
    });
    expect(unknown.status).toBe(401);
    expectHintCleared(unknown.setCookies);
  });

  it("a hint that outlived its refresh cookie is cleared by the refresh it triggers, so it asks once", async () => {
    server = await startTestServer(adapter);
    const orphan = await server.client().post("/api/auth/refresh", undefined, {
      headers: { cookie: `${SESSION_HINT_COOKIE}=1` },
    });
    expect(orphan.status).toBe(401);
    expect(orphan.body.error.code).toBe("REFRESH_MISSING");
    expectHintCleared(orphan.setCookies);
  });
});

describe("the session hint cookie in production", () => {
  it("is Secure like the refresh cookie", async () => {
    const server = await startTestServer("fastify", {
      production: true,
      secret: randomBytes(32).toString("base64url"),
    });
    try {
      const { response } = await signUp(server, "ada@example.com");
      expectHintSet(response.setCookies, "__Secure-refresh_token");
      expect(attributes(line(response.setCookies, SESSION_HINT_COOKIE)!).has("secure")).toBe(true);
    } finally {
      await server.close();
    }
  });
});

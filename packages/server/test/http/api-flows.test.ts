import { expect, it } from "vitest";
import { PASSWORD, signUp } from "../support/test-server.js";
import { describeEachAdapter, type ServerSetup } from "../support/each-adapter.js";

// Every row of the API table, through real HTTP, for both adapters.
const withAdmin: ServerSetup = {
  per: "test",
  options: { adminEmail: "root@example.com", adminPassword: "admin-password-1" },
};

describeEachAdapter("API flows through %s", withAdmin, (server) => {
  it("register (and /signup) returns the user, a Bearer token and an httpOnly refresh cookie", async () => {
    const { response } = await signUp(server, "  Ada@Example.COM ", { name: "Ada" });
    expect(response.body).toMatchObject({
      user: { email: "ada@example.com", name: "Ada", roles: ["user"] },
      tokenType: "Bearer",
      expiresIn: 900,
    });
    expect(response.body.user).not.toHaveProperty("passwordHash");
    expect(response.body).not.toHaveProperty("refreshToken");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const [cookie = ""] = response.setCookies;
    expect(cookie).toMatch(/^refresh_token=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/api/auth");
    expect(cookie).toContain("Max-Age=604800");

    const alias = await server
      .client()
      .post("/api/auth/signup", { email: "bob@example.com", password: PASSWORD });
    expect(alias.status).toBe(201);
    const again = await server
      .client()
      .post("/api/auth/register", { email: "ADA@example.com", password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("EMAIL_TAKEN");
  });

  it("login opens a new session; wrong password and unknown email answer the same", async () => {
    await signUp(server, "ada@example.com");
    const client = server.client();
    const ok = await client.post("/api/auth/login", {
      email: "ADA@example.com",
      password: PASSWORD,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe("ada@example.com");
    expect(client.jar.get("refresh_token")).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const wrong = await server
      .client()
      .post("/api/auth/login", { email: "ada@example.com", password: "wrong password" });
    const unknown = await server
      .client()
      .post("/api/auth/login", { email: "nobody@example.com", password: "wrong password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe("INVALID_CREDENTIALS");
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("body transport returns the refresh token in JSON and sets no cookie", async () => {
    const client = server.client();
    const registered = await client.post("/api/auth/register", {
      email: "cli@example.com",
      password: PASSWORD,
      transport: "body",
    });
    expect(registered.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(registered.setCookies).toEqual([]);
    const refreshed = await client.post("/api/auth/refresh", {
      refreshToken: registered.body.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(refreshed.body.refreshToken).not.toBe(registered.body.refreshToken);
    expect(refreshed.setCookies).toEqual([]);
  });

  it("refresh (and /refresh-token) rotates the cookie and issues a working access token", async () => {
    const { client } = await signUp(server, "ada@example.com");
    const first = client.jar.get("refresh_token");
    server.clock.advance(1000);
    const refreshed = await client.post("/api/auth/refresh");
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get("cache-control")).toBe("no-store");
    const second = client.jar.get("refresh_token");
    expect(second).not.toBe(first);
    const me = await client.get("/api/auth/me", refreshed.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe("ada@example.com");
    const alias = await client.post("/api/auth/refresh-token");
    expect(alias.status).toBe(200);
    expect(client.jar.get("refresh_token")).not.toBe(second);
  });

  it("two concurrent refreshes with the same token both succeed and converge on one token", async () => {
    const { client } = await signUp(server, "ada@example.com");
    const cookie = `refresh_token=${client.jar.get("refresh_token")}`;
    const racers = await Promise.all(
      Array.from({ length: 2 }, () =>
        server.client().post("/api/auth/refresh", undefined, { headers: { cookie } }),
      ),
    );
    expect(racers.map((r) => r.status)).toEqual([200, 200]);
    const tokens = racers.map((r) => /refresh_token=([^;]+)/.exec(r.setCookies[0] ?? "")?.[1]);
    expect(tokens[0]).toBe(tokens[1]);
    expect(server.events.filter((e) => e.type === "refresh.reused")).toHaveLength(0);
  });

  it("a refresh token reused after the grace window (its successor used) revokes the whole session", async () => {
    const { client } = await signUp(server, "ada@example.com");
    const stolen = client.jar.get("refresh_token")!;
    await client.post("/api/auth/refresh");
    const rotated = await client.post("/api/auth/refresh");
    expect(rotated.status).toBe(200);
    server.clock.advance(10_001);
    const thief = await server.client().post("/api/auth/refresh", { refreshToken: stolen });
    expect(thief.status).toBe(401);
    expect(thief.body.error.code).toBe("REFRESH_REUSED");
    // The legitimate holder's current token is dead too, and so is its access token.
    const victim = await client.post("/api/auth/refresh");
    expect(victim.status).toBe(401);
    expect(victim.body.error.code).toBe("SESSION_REVOKED");
    expect(victim.setCookies).toContainEqual(expect.stringMatching(/^refresh_token=;.*Max-Age=0/));
    const me = await client.get("/api/auth/me", rotated.body.accessToken);
    expect(me.body.error.code).toBe("SESSION_REVOKED");
    expect(server.events.filter((e) => e.type === "refresh.reused")).toHaveLength(1);
  });

  it("logout revokes this session at once, clears the cookie, and is idempotent", async () => {
    const { client, accessToken } = await signUp(server, "ada@example.com");
    const logout = await client.post("/api/auth/logout");
    expect(logout.status).toBe(204);
    expect(logout.setCookies).toContainEqual(expect.stringMatching(/^refresh_token=;.*Max-Age=0/));
    expect((await client.get("/api/auth/me", accessToken)).body.error.code).toBe("SESSION_REVOKED");
    expect((await client.get("/api/private", accessToken)).body.error.code).toBe("SESSION_REVOKED");
    expect((await client.post("/api/auth/logout")).status).toBe(204);
  });

  it("logout with only a Bearer token ends that session", async () => {
    const { accessToken } = await signUp(server, "ada@example.com");
    const bare = server.client();
    expect((await bare.post("/api/auth/logout", undefined, { token: accessToken })).status).toBe(
      204,
    );
    expect((await bare.get("/api/auth/me", accessToken)).body.error.code).toBe("SESSION_REVOKED");
  });

  it("logout-all ends every session of the user and no one else's", async () => {
    const a = await signUp(server, "ada@example.com");
    const second = server.client();
    const login = await second.post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    const other = await signUp(server, "bob@example.com");
    expect(
      (await a.client.post("/api/auth/logout-all", undefined, { token: a.accessToken })).status,
    ).toBe(204);
    expect((await a.client.get("/api/auth/me", a.accessToken)).body.error.code).toBe(
      "SESSION_REVOKED",
    );
    expect((await second.get("/api/auth/me", login.body.accessToken)).body.error.code).toBe(
      "SESSION_REVOKED",
    );
    expect((await second.post("/api/auth/refresh")).body.error.code).toBe("SESSION_REVOKED");
    expect((await other.client.get("/api/auth/me", other.accessToken)).status).toBe(200);
  });

  it("sessions (and /tokens) lists this user's devices; DELETE revokes own sessions only", async () => {
    const a = await signUp(server, "ada@example.com", {});
    const phone = server.client();
    const phoneLogin = await phone.post(
      "/api/auth/login",
      { email: "ada@example.com", password: PASSWORD },
      { headers: { "user-agent": "Phone/1.0" } },
    );
    const list = await a.client.get("/api/auth/sessions", a.accessToken);
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    const current = list.body.sessions.find((s: { current: boolean }) => s.current);
    const phoneSession = list.body.sessions.find((s: { current: boolean }) => !s.current);
    expect(current).toMatchObject({ ip: "127.0.0.1" });
    expect(phoneSession).toMatchObject({ userAgent: "Phone/1.0", ip: "127.0.0.1" });
    for (const key of ["createdAt", "lastUsedAt", "expiresAt"])
      expect(Date.parse(phoneSession[key])).not.toBeNaN();
    expect((await a.client.get("/api/auth/tokens", a.accessToken)).body).toEqual(list.body);

    const bob = await signUp(server, "bob@example.com");
    const foreign = await bob.client.request("DELETE", `/api/auth/sessions/${phoneSession.id}`, {
      token: bob.accessToken,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("NOT_FOUND");

    const revoked = await a.client.request("DELETE", `/api/auth/sessions/${phoneSession.id}`, {
      token: a.accessToken,
    });
    expect(revoked.status).toBe(204);
    expect((await phone.get("/api/auth/me", phoneLogin.body.accessToken)).body.error.code).toBe(
      "SESSION_REVOKED",
    );
    expect((await a.client.get("/api/auth/sessions", a.accessToken)).body.sessions).toHaveLength(1);
  });

  it("revoke (and /revoke-token) answers 204 whether or not the token existed", async () => {
    const client = server.client();
    const registered = await client.post("/api/auth/register", {
      email: "cli@example.com",
      password: PASSWORD,
      transport: "body",
    });
    const token = registered.body.refreshToken as string;
    expect(
      (await server.client().post("/api/auth/revoke", { refreshToken: "x".repeat(43) })).status,
    ).toBe(204);
    expect(
      (await server.client().post("/api/auth/revoke-token", { refreshToken: "garbage" })).status,
    ).toBe(204);
    expect((await server.client().post("/api/auth/revoke", { refreshToken: token })).status).toBe(
      204,
    );
    expect((await client.post("/api/auth/refresh", { refreshToken: token })).body.error.code).toBe(
      "SESSION_REVOKED",
    );
    expect((await client.get("/api/auth/me", registered.body.accessToken)).body.error.code).toBe(
      "SESSION_REVOKED",
    );
  });

  it("password change returns a new pair, ends every other session, and the new password works", async () => {
    const a = await signUp(server, "ada@example.com");
    const laptop = server.client();
    const laptopLogin = await laptop.post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    const wrong = await a.client.post(
      "/api/auth/password",
      { currentPassword: "not it at all", newPassword: "brand new secret" },
      { token: a.accessToken },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("INVALID_CREDENTIALS");
    const short = await a.client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "short" },
      { token: a.accessToken },
    );
    expect(short.body.error.code).toBe("VALIDATION_FAILED");

    const before = a.client.jar.get("refresh_token");
    const changed = await a.client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "brand new secret" },
      { token: a.accessToken },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.accessToken).toEqual(expect.any(String));
    expect(a.client.jar.get("refresh_token")).not.toBe(before);
    expect((await a.client.get("/api/auth/me", changed.body.accessToken)).status).toBe(200);
    expect((await laptop.get("/api/auth/me", laptopLogin.body.accessToken)).body.error.code).toBe(
      "SESSION_REVOKED",
    );
    expect((await laptop.post("/api/auth/refresh")).body.error.code).toBe("SESSION_REVOKED");
    expect(
      (
        await server
          .client()
          .post("/api/auth/login", { email: "ada@example.com", password: PASSWORD })
      ).status,
    ).toBe(401);
    expect(
      (
        await server
          .client()
          .post("/api/auth/login", { email: "ada@example.com", password: "brand new secret" })
      ).status,
    ).toBe(200);
  });

  it("admin lists users (paginated) and changes roles, effective immediately", async () => {
    const admin = await server
      .client()
      .post("/api/auth/login", { email: "root@example.com", password: "admin-password-1" });
    expect(admin.body.user.roles).toContain("admin");
    server.clock.advance(1);
    const ada = await signUp(server, "ada@example.com");
    server.clock.advance(1);
    await signUp(server, "bob@example.com");

    const forbidden = await ada.client.get("/api/auth/admin/users", ada.accessToken);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("FORBIDDEN");

    const page = await server
      .client()
      .get("/api/auth/admin/users?limit=2&offset=1", admin.body.accessToken);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(page.body.users.map((u: { email: string }) => u.email)).toEqual([
      "ada@example.com",
      "bob@example.com",
    ]);
    expect(JSON.stringify(page.body)).not.toMatch(/argon2|password/i);

    expect((await ada.client.get("/api/staff", ada.accessToken)).status).toBe(403);
    const promoted = await server
      .client()
      .request("PUT", `/api/auth/admin/users/${ada.user.id}/roles`, {
        token: admin.body.accessToken,
        json: { roles: ["user", "staff"] },
      });
    expect(promoted.status).toBe(200);
    expect(promoted.body.user.roles).toEqual(["user", "staff"]);
    // The old token (roles ["user"]) stops working at once; a refresh brings the new roles.
    const stale = await ada.client.get("/api/auth/me", ada.accessToken);
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe("TOKEN_EXPIRED");
    const refreshed = await ada.client.post("/api/auth/refresh");
    expect(refreshed.body.user.roles).toEqual(["user", "staff"]);
    expect((await ada.client.get("/api/staff", refreshed.body.accessToken)).status).toBe(200);

    const missing = await server.client().request("PUT", "/api/auth/admin/users/nope/roles", {
      token: admin.body.accessToken,
      json: { roles: [] },
    });
    expect(missing.status).toBe(404);
  });

  it("admin deletes a user: their sessions end at once", async () => {
    const admin = await server
      .client()
      .post("/api/auth/login", { email: "root@example.com", password: "admin-password-1" });
    const ada = await signUp(server, "ada@example.com");
    const deleted = await server
      .client()
      .request("DELETE", `/api/auth/admin/users/${ada.user.id}`, { token: admin.body.accessToken });
    expect(deleted.status).toBe(204);
    expect((await ada.client.get("/api/auth/me", ada.accessToken)).body.error.code).toBe(
      "SESSION_REVOKED",
    );
    expect((await ada.client.post("/api/auth/refresh")).body.error.code).toBe("REFRESH_INVALID");
  });

  it("requireAuth protects the host app's own routes and exposes {userId, sessionId, roles, emailVerified}", async () => {
    const ada = await signUp(server, "ada@example.com");
    const ok = await ada.client.get("/api/private", ada.accessToken);
    expect(ok.status).toBe(200);
    expect(ok.body.auth).toEqual({
      userId: ada.user.id,
      sessionId: expect.any(String),
      roles: ["user"],
      emailVerified: false,
    });
    const missing = await ada.client.get("/api/private");
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe("TOKEN_MISSING");
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="baton"');
  });

  it("access tokens expire: TOKEN_EXPIRED with an RFC 6750 challenge, then refresh works", async () => {
    const ada = await signUp(server, "ada@example.com");
    server.clock.advance(15 * 60_000 + 5_001);
    const expired = await ada.client.get("/api/auth/me", ada.accessToken);
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("TOKEN_EXPIRED");
    expect(expired.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="baton", error="invalid_token"/,
    );
    const refreshed = await ada.client.post("/api/auth/refresh");
    expect((await ada.client.get("/api/auth/me", refreshed.body.accessToken)).status).toBe(200);
  });

  it("serves JWKS, health and an OpenAPI 3.1 document", async () => {
    const client = server.client();
    const jwks = await client.get("/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({
      kty: "OKP",
      crv: "Ed25519",
      alg: "EdDSA",
      use: "sig",
      kid: expect.any(String),
    });
    expect(jwks.body.keys[0]).not.toHaveProperty("d");
    expect((await client.get("/healthz")).body).toEqual({ status: "ok" });
    const openapi = await client.get("/api/auth/openapi.json");
    expect(openapi.body.openapi).toBe("3.1.0");
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/auth/register",
        "/api/auth/signup",
        "/api/auth/sessions/{id}",
        "/api/auth/admin/users/{id}/roles",
        "/.well-known/jwks.json",
      ]),
    );
  });
});

import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, signUp, startTestServer, type TestServer } from "../support/test-server.js";
import type { ApiResponse } from "../support/http-client.js";
import { consistencyProblems, expectError, withDatabase } from "./support/attack-kit.js";

// Refresh-token theft, replay and confusion against one real server (Fastify; the rotation rules
// live in the framework-free core, so the adapter does not matter here). Each case uses its own
// user; the manual clock only moves forward, so cases that move it create their sessions after.

const ADMIN = { email: "root@example.com", password: "admin-password-1" };
const WINDOW_MS = 10_000;
const ROTATION = "RFC 9700 §4.14.2 (rotation with reuse detection)";

let server: TestServer;
let counter = 0;

beforeAll(async () => {
  server = await startTestServer("fastify", {
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
  });
});
afterAll(() => server.close());

/** A signed-up user: client with the refresh cookie, access token, and the cookie's value. */
async function victim() {
  const email = `victim-${++counter}@example.com`;
  const signed = await signUp(server, email);
  return {
    ...signed,
    email,
    refreshToken: () => signed.client.jar.get("refresh_token")!,
  };
}

/** Presents `token` as the refresh cookie from a fresh client (a thief, or a retry). */
const refreshWith = (token: string, extra: Record<string, string> = {}) =>
  server.client().post("/api/auth/refresh", undefined, {
    headers: { cookie: `refresh_token=${token}`, ...extra },
  });

const refreshedToken = (response: ApiResponse) =>
  /refresh_token=([^;]*)/.exec(response.setCookies[0] ?? "")?.[1];

const events = (type: string, userId?: string) =>
  server.events.filter(
    (event) => event.type === type && (userId === undefined || event.userId === userId),
  );

async function adminToken(): Promise<string> {
  const response = await server.client().post("/api/auth/login", ADMIN);
  return response.body.accessToken as string;
}

async function currentSessionId(accessToken: string): Promise<string> {
  const list = await server.client().get("/api/auth/sessions", accessToken);
  return (list.body.sessions as { id: string; current: boolean }[]).find((s) => s.current)!.id;
}

describe("refresh-token replay and rotation", () => {
  it(`replay outside the window of a token whose successor has been used is REFRESH_REUSED and revokes the whole session; the legitimate successor then fails too — ${ROTATION}`, async () => {
    const ada = await victim();
    const stolen = ada.refreshToken();
    await ada.client.post("/api/auth/refresh");
    server.clock.advance(1_000);
    const rotated = await ada.client.post("/api/auth/refresh"); // the successor is used
    expect(rotated.status).toBe(200);
    server.clock.advance(WINDOW_MS);

    expectError(await refreshWith(stolen), "REFRESH_REUSED");
    const successor = await ada.client.post("/api/auth/refresh");
    expectError(successor, "SESSION_REVOKED");
    expect(successor.setCookies).toContainEqual(
      expect.stringMatching(/^refresh_token=;.*Max-Age=0/),
    );
    expectError(await ada.client.get("/api/private", rotated.body.accessToken), "SESSION_REVOKED");
    expect(events("refresh.reused", ada.user.id)).toHaveLength(1);
  });

  it(`a thief who rotated first is detected one rotation later: the victim recovers the thief's token, and the second of the two to present it ends the session — ${ROTATION}; Baton recovery rule`, async () => {
    const ada = await victim();
    const stolen = ada.refreshToken();
    const thief = await refreshWith(stolen);
    expect(thief.status).toBe(200);
    server.clock.advance(WINDOW_MS + 1);
    // The thief's token has not been presented yet: to the server this is a lost answer.
    const recovered = await ada.client.post("/api/auth/refresh");
    expect(recovered.status).toBe(200);
    expect(ada.refreshToken()).toBe(refreshedToken(thief));
    const thiefNext = await refreshWith(refreshedToken(thief)!);
    expect(thiefNext.status).toBe(200);
    server.clock.advance(WINDOW_MS + 1);
    expectError(await ada.client.post("/api/auth/refresh"), "REFRESH_REUSED");
    expectError(await refreshWith(refreshedToken(thiefNext)!), "SESSION_REVOKED");
    expectError(
      await server.client().get("/api/private", thiefNext.body.accessToken),
      "SESSION_REVOKED",
    );
  });

  it("replay inside the window converges on the session's current token: not theft — RFC 9700 §4.14.2, Baton grace window", async () => {
    const ada = await victim();
    const first = ada.refreshToken();
    await ada.client.post("/api/auth/refresh");
    const current = ada.refreshToken();
    server.clock.advance(WINDOW_MS - 1_000);
    const retry = await refreshWith(first);
    expect(retry.status).toBe(200);
    expect(refreshedToken(retry)).toBe(current);
    expect(events("refresh.reused", ada.user.id)).toHaveLength(0);
    expect((await ada.client.post("/api/auth/refresh")).status).toBe(200);
  });

  it("replay at exactly the window's end still converges; one millisecond later it is reuse — RFC 9700 §4.14.2", async () => {
    const ada = await victim();
    const first = ada.refreshToken();
    await ada.client.post("/api/auth/refresh");
    server.clock.advance(1_000);
    await ada.client.post("/api/auth/refresh"); // the successor is used
    server.clock.advance(WINDOW_MS - 1_000);
    expect((await refreshWith(first)).status).toBe(200);
    server.clock.advance(1);
    expectError(await refreshWith(first), "REFRESH_REUSED");
  });

  it("the window counts from the token's own retirement: later rotations do not extend it — RFC 9700 §4.14.2", async () => {
    const ada = await victim();
    const g0 = ada.refreshToken();
    await ada.client.post("/api/auth/refresh"); // g0 retired now
    server.clock.advance(8_000);
    await ada.client.post("/api/auth/refresh"); // g1 retired; g0's window unchanged
    server.clock.advance(2_001);
    expectError(await refreshWith(g0), "REFRESH_REUSED");
  });

  it("a token two generations old, inside its own window, converges on the current token — RFC 9700 §4.14.2", async () => {
    const ada = await victim();
    const g0 = ada.refreshToken();
    await ada.client.post("/api/auth/refresh");
    server.clock.advance(3_000);
    await ada.client.post("/api/auth/refresh");
    const g2 = ada.refreshToken();
    server.clock.advance(3_000);
    expect(refreshedToken(await refreshWith(g0))).toBe(g2);
  });

  it("a replay against an already revoked session stays SESSION_REVOKED and records no second reuse — RFC 9700 §4.14.2", async () => {
    const ada = await victim();
    const stolen = ada.refreshToken();
    await ada.client.post("/api/auth/refresh");
    await ada.client.post("/api/auth/refresh");
    server.clock.advance(WINDOW_MS + 1);
    expectError(await refreshWith(stolen), "REFRESH_REUSED");
    expectError(await refreshWith(stolen), "SESSION_REVOKED");
    expect(events("refresh.reused", ada.user.id)).toHaveLength(1);
  });
});

// Issue 12 item 9, as a user on a train meets it: the refresh reaches the server, which rotates;
// the answer is lost; the device comes back after the grace window with the token it still holds.
describe("a lost rotation answer followed by an outage (recovery)", () => {
  const RECOVERY =
    "Baton recovery rule (docs/security.md, 'Stolen refresh token'); RFC 9700 §4.14.2";
  const HOUR = 3_600_000;

  it.each([
    ["15 s", 15_000],
    ["5 hours", 5 * HOUR],
  ])(
    `cookie transport, Set-Cookie lost, %s offline: the old cookie gets the session's current token — ${RECOVERY}`,
    async (_label, offlineMs) => {
      const ada = await victim();
      const dropped = await refreshWith(ada.refreshToken()); // rotated; the Set-Cookie never lands
      expect(dropped.status).toBe(200);
      server.clock.advance(offlineMs);
      const back = await ada.client.post("/api/auth/refresh");
      expect(back.status).toBe(200);
      expect(refreshedToken(back)).toBe(refreshedToken(dropped));
      expect(back.body).not.toHaveProperty("refreshToken");
      expect((await ada.client.get("/api/private", back.body.accessToken)).status).toBe(200);
      expect(events("refresh.recovered", ada.user.id)).toHaveLength(1);
      expect(events("refresh.reused", ada.user.id)).toHaveLength(0);
      server.clock.advance(60_000);
      expect((await ada.client.post("/api/auth/refresh")).status).toBe(200);
    },
  );

  it.each([
    ["15 s", 15_000],
    ["5 hours", 5 * HOUR],
  ])(
    `body transport, answer lost, %s offline: the held token gets the session's current token — ${RECOVERY}`,
    async (_label, offlineMs) => {
      const device = server.client();
      const registered = await device.post("/api/auth/register", {
        email: `train-${++counter}@example.com`,
        password: PASSWORD,
        transport: "body",
      });
      const held = registered.body.refreshToken as string;
      const dropped = await device.post("/api/auth/refresh", { refreshToken: held });
      expect(dropped.status).toBe(200);
      server.clock.advance(offlineMs);
      const back = await device.post("/api/auth/refresh", { refreshToken: held });
      expect(back.status).toBe(200);
      expect(back.body.refreshToken).toBe(dropped.body.refreshToken);
      expect(back.setCookies).toEqual([]);
      expect((await device.get("/api/private", back.body.accessToken)).status).toBe(200);
      expect(events("refresh.recovered", registered.body.user.id)).toHaveLength(1);
      server.clock.advance(60_000);
      const next = await device.post("/api/auth/refresh", { refreshToken: back.body.refreshToken });
      expect(next.status).toBe(200);
    },
  );

  it(`50 concurrent presentations of the parent after the window all get the same current token — ${RECOVERY}`, async () => {
    const ada = await victim();
    const held = ada.refreshToken();
    const dropped = await refreshWith(held);
    server.clock.advance(30_000);
    const responses = await Promise.all(Array.from({ length: 50 }, () => refreshWith(held)));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(new Set(responses.map(refreshedToken))).toEqual(new Set([refreshedToken(dropped)]));
    expect(events("refresh.recovered", ada.user.id)).toHaveLength(50);
    expect(events("refresh.reused", ada.user.id)).toHaveLength(0);
    expect(consistencyProblems(server)).toEqual([]);
  });

  it(`a thief replaying a parent whose successor is unused gets the current token once, and the session ends when the second holder presents it — ${RECOVERY}`, async () => {
    const ada = await victim();
    const stolen = ada.refreshToken();
    await ada.client.post("/api/auth/refresh"); // the victim holds g1 and goes offline
    server.clock.advance(HOUR);
    const thief = await refreshWith(stolen);
    expect(thief.status).toBe(200);
    expect(refreshedToken(thief)).toBe(ada.refreshToken());
    const thiefNext = await refreshWith(refreshedToken(thief)!); // the thief rotates g1
    expect(thiefNext.status).toBe(200);
    server.clock.advance(5 * 60_000);
    expectError(await ada.client.post("/api/auth/refresh"), "REFRESH_REUSED"); // the victim is back
    expectError(await refreshWith(refreshedToken(thiefNext)!), "SESSION_REVOKED");
    expectError(
      await server.client().get("/api/private", thiefNext.body.accessToken),
      "SESSION_REVOKED",
    );
  });
});

describe("refresh after the session ended", () => {
  type Ender = {
    attack: string;
    source: string;
    end: (ada: Awaited<ReturnType<typeof victim>>) => Promise<unknown>;
    expect: "SESSION_REVOKED" | "REFRESH_INVALID";
  };
  const enders: Ender[] = [
    {
      attack: "refresh after logout (cookie) is SESSION_REVOKED",
      source: "OWASP ASVS 3.3.1; RFC 7009 §2",
      end: (ada) => ada.client.post("/api/auth/logout"),
      expect: "SESSION_REVOKED",
    },
    {
      attack: "refresh after logout with only the Bearer token is SESSION_REVOKED",
      source: "OWASP ASVS 3.3.1",
      end: (ada) => server.client().post("/api/auth/logout", undefined, { token: ada.accessToken }),
      expect: "SESSION_REVOKED",
    },
    {
      attack: "refresh after logout-all (from another device) is SESSION_REVOKED",
      source: "OWASP ASVS 3.3.1, 3.3.3",
      end: async (ada) => {
        const other = await server
          .client()
          .post("/api/auth/login", { email: ada.email, password: PASSWORD });
        return server
          .client()
          .post("/api/auth/logout-all", undefined, { token: other.body.accessToken });
      },
      expect: "SESSION_REVOKED",
    },
    {
      attack: "refresh after a password change on another device is SESSION_REVOKED",
      source: "OWASP ASVS 3.3.3; NIST SP 800-63B §7.1",
      end: async (ada) => {
        const other = await server
          .client()
          .post("/api/auth/login", { email: ada.email, password: PASSWORD });
        const changed = await server
          .client()
          .post(
            "/api/auth/password",
            { currentPassword: PASSWORD, newPassword: "a brand new passphrase", transport: "body" },
            { token: other.body.accessToken },
          );
        expect(changed.status).toBe(200);
      },
      expect: "SESSION_REVOKED",
    },
    {
      attack:
        "refresh after the user revoked that session (DELETE /sessions/:id) is SESSION_REVOKED",
      source: "OWASP ASVS 3.3.4",
      end: async (ada) => {
        const other = await server
          .client()
          .post("/api/auth/login", { email: ada.email, password: PASSWORD });
        const id = await currentSessionId(ada.accessToken);
        return server
          .client()
          .request("DELETE", `/api/auth/sessions/${id}`, { token: other.body.accessToken });
      },
      expect: "SESSION_REVOKED",
    },
    {
      attack: "refresh after RFC 7009 revocation of the token is SESSION_REVOKED",
      source: "RFC 7009 §2.1",
      end: (ada) => server.client().post("/api/auth/revoke", { refreshToken: ada.refreshToken() }),
      expect: "SESSION_REVOKED",
    },
    {
      attack: "refresh after an admin deleted the user is REFRESH_INVALID",
      source: "OWASP ASVS 3.3.1",
      end: async (ada) =>
        server
          .client()
          .request("DELETE", `/api/auth/admin/users/${ada.user.id}`, { token: await adminToken() }),
      expect: "REFRESH_INVALID",
    },
  ];

  it.each(enders.map((row) => [`${row.attack} — ${row.source}`, row] as const))(
    "%s",
    async (_name, row) => {
      const ada = await victim();
      const token = ada.refreshToken();
      await row.end(ada);
      const response = await refreshWith(token);
      expectError(response, row.expect);
      expect(response.setCookies, "a refused cookie is cleared").toContainEqual(
        expect.stringMatching(/^refresh_token=;.*Max-Age=0/),
      );
      expect(ada.accessToken).toBeTruthy();
      expectError(await server.client().get("/api/private", ada.accessToken), "SESSION_REVOKED");
    },
  );

  it("positive control: a role change is not a logout — the refresh carries the new roles — OWASP ASVS 4.1.3", async () => {
    const ada = await victim();
    await server.client().request("PUT", `/api/auth/admin/users/${ada.user.id}/roles`, {
      token: await adminToken(),
      json: { roles: ["user", "staff"] },
    });
    const refreshed = await ada.client.post("/api/auth/refresh");
    expect(refreshed.body.user.roles).toEqual(["user", "staff"]);
  });

  it("an idle session expires: refresh 7 days + 1 ms later is REFRESH_INVALID — RFC 9700 §4.14.2 (expiry)", async () => {
    const ada = await victim();
    server.clock.advance(7 * 86_400_000 + 1);
    expectError(await ada.client.post("/api/auth/refresh"), "REFRESH_INVALID");
  });

  it("a session refreshed every 6 days still ends at its absolute 30-day lifetime — OWASP ASVS 3.3.2", async () => {
    const ada = await victim();
    for (let day = 6; day < 30; day += 6) {
      server.clock.advance(6 * 86_400_000);
      expect((await ada.client.post("/api/auth/refresh")).status).toBe(200);
    }
    server.clock.advance(6 * 86_400_000);
    expectError(await ada.client.post("/api/auth/refresh"), "REFRESH_INVALID");
  });
});

describe("garbage, truncated and confused refresh tokens", () => {
  type Garbage = {
    attack: string;
    token: (ctx: { legit: string; accessToken: string }) => unknown;
    expect: "REFRESH_INVALID" | "VALIDATION_FAILED" | "REFRESH_MISSING";
  };
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const rows: Garbage[] = [
    { attack: "the word garbage", token: () => "garbage", expect: "REFRESH_INVALID" },
    { attack: "an empty string", token: () => "", expect: "REFRESH_MISSING" },
    {
      attack: "the token truncated by one character",
      token: (c) => c.legit.slice(0, 42),
      expect: "REFRESH_INVALID",
    },
    {
      attack: "the token with one character appended",
      token: (c) => `${c.legit}A`,
      expect: "REFRESH_INVALID",
    },
    {
      attack: "the token with its first character changed",
      token: (c) => `${alphabet[(alphabet.indexOf(c.legit[0]!) + 1) % 64]}${c.legit.slice(1)}`,
      expect: "REFRESH_INVALID",
    },
    {
      attack: "a random well-formed 256-bit token",
      token: () => randomBytes(32).toString("base64url"),
      expect: "REFRESH_INVALID",
    },
    {
      attack: "the token in the standard base64 alphabet with padding",
      token: (c) => `${Buffer.from(c.legit, "base64url").toString("base64")}`,
      expect: "REFRESH_INVALID",
    },
    {
      attack: "the SHA-256 hash the database keeps (an insider's copy)",
      token: (c) => createHash("sha256").update(c.legit).digest("base64url"),
      expect: "REFRESH_INVALID",
    },
    {
      attack: "an access token presented as a refresh token",
      token: (c) => c.accessToken,
      expect: "REFRESH_INVALID",
    },
    {
      attack: "SQL injection (' OR '1'='1)",
      token: () => "' OR '1'='1",
      expect: "REFRESH_INVALID",
    },
    {
      attack: "non-ASCII look-alike characters",
      token: (c) => `${c.legit.slice(0, 42)}а`,
      expect: "REFRESH_INVALID",
    },
    {
      attack: "512 characters (the schema's maximum)",
      token: () => "A".repeat(512),
      expect: "REFRESH_INVALID",
    },
    { attack: "513 characters", token: () => "A".repeat(513), expect: "VALIDATION_FAILED" },
    { attack: "a number", token: () => 12345, expect: "VALIDATION_FAILED" },
    { attack: "null", token: () => null, expect: "VALIDATION_FAILED" },
    {
      attack: 'a NoSQL operator object ({"$ne": null})',
      token: () => ({ $ne: null }),
      expect: "VALIDATION_FAILED",
    },
    { attack: "an array of tokens", token: (c) => [c.legit, c.legit], expect: "VALIDATION_FAILED" },
  ];
  let legit: string;
  let accessToken: string;
  beforeAll(async () => {
    const ada = await victim();
    legit = ada.refreshToken();
    accessToken = ada.accessToken;
  });

  it.each(rows.map((row) => [row.attack, row] as const))(
    "%s in the body is refused and the real session is untouched — RFC 6749 §5.2, OWASP ASVS 3.5.3",
    async (_name, row) => {
      const response = await server
        .client()
        .post("/api/auth/refresh", { refreshToken: row.token({ legit, accessToken }) });
      expectError(response, row.expect);
    },
  );

  it("a garbage refresh cookie is REFRESH_INVALID and the browser is told to drop it — RFC 6265bis §5.6", async () => {
    const response = await refreshWith("garbage-cookie-value");
    expectError(response, "REFRESH_INVALID");
    expect(response.setCookies).toContainEqual(
      expect.stringMatching(/^refresh_token=;.*Max-Age=0/),
    );
  });

  it("after all of the above the real token still refreshes: garbage is not reuse — RFC 9700 §4.14.2", async () => {
    expect((await refreshWith(legit)).status).toBe(200);
  });
});

describe("refresh tokens of other users and mixed credentials", () => {
  it("cookie and body both present and different is VALIDATION_FAILED and rotates neither — RFC 6749 §5.2", async () => {
    const ada = await victim();
    const bob = await victim();
    const response = await ada.client.post("/api/auth/refresh", {
      refreshToken: bob.refreshToken(),
    });
    expectError(response, "VALIDATION_FAILED");
    expect((await ada.client.post("/api/auth/refresh")).body.user.id).toBe(ada.user.id);
    expect((await bob.client.post("/api/auth/refresh")).body.user.id).toBe(bob.user.id);
  });

  it("cookie and body both present and equal is an ordinary refresh (positive control)", async () => {
    const ada = await victim();
    const response = await ada.client.post("/api/auth/refresh", {
      refreshToken: ada.refreshToken(),
    });
    expect(response.status).toBe(200);
  });

  it("logout with the cookie and a different token in the body is VALIDATION_FAILED and ends neither session — RFC 6749 §5.2", async () => {
    const ada = await victim();
    const bob = await victim();
    const response = await ada.client.post("/api/auth/logout", {
      refreshToken: bob.refreshToken(),
    });
    expectError(response, "VALIDATION_FAILED");
    expect(ada.client.jar.has("refresh_token")).toBe(true);
    expect((await ada.client.post("/api/auth/refresh")).body.user.id).toBe(ada.user.id);
    expect((await bob.client.post("/api/auth/refresh")).body.user.id).toBe(bob.user.id);
  });

  it("another user's Bearer token does not mix identities into a refresh — RFC 6749 §6", async () => {
    const ada = await victim();
    const bob = await victim();
    const response = await server
      .client()
      .post("/api/auth/refresh", { refreshToken: ada.refreshToken() }, { token: bob.accessToken });
    expect(response.body.user.id).toBe(ada.user.id);
    expect((await server.client().get("/api/private", bob.accessToken)).body.auth.userId).toBe(
      bob.user.id,
    );
  });

  it("revoking another user's session by id is NOT_FOUND and leaves it alive (IDOR) — OWASP ASVS 4.2.1", async () => {
    const ada = await victim();
    const bob = await victim();
    const adaSession = await currentSessionId(ada.accessToken);
    const response = await server
      .client()
      .request("DELETE", `/api/auth/sessions/${adaSession}`, { token: bob.accessToken });
    expectError(response, "NOT_FOUND");
    expect((await ada.client.post("/api/auth/refresh")).status).toBe(200);
  });

  it("a refresh token in the URL query is refused — RFC 6750 §2.3, RFC 9700 §4.3", async () => {
    const ada = await victim();
    const response = await server
      .client()
      .post(`/api/auth/refresh?refresh_token=${ada.refreshToken()}`, undefined, { cookies: false });
    expectError(response, "VALIDATION_FAILED");
  });
});

describe("concurrent refreshes", () => {
  it("200 concurrent refreshes with one token all succeed and converge on one token; no REFRESH_REUSED — RFC 9700 §4.14.2, Baton grace window", async () => {
    const ada = await victim();
    const token = ada.refreshToken();
    const responses = await Promise.all(Array.from({ length: 200 }, () => refreshWith(token)));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(new Set(responses.map(refreshedToken)).size).toBe(1);
    expect(events("token.refreshed", ada.user.id)).toHaveLength(1);
    expect(events("refresh.grace", ada.user.id)).toHaveLength(199);
    expect(events("refresh.reused", ada.user.id)).toHaveLength(0);
    expect(consistencyProblems(server)).toEqual([]);
    const generation = withDatabase(server, (db) =>
      db.prepare("select generation from sessions where user_id = ?").get(ada.user.id),
    );
    expect(generation).toEqual({ generation: 1 });
  });

  it("50 concurrent replays of a token retired beyond the window, whose successor has been used, are all refused and revoke the session — RFC 9700 §4.14.2", async () => {
    const ada = await victim();
    const stolen = ada.refreshToken();
    await ada.client.post("/api/auth/refresh");
    await ada.client.post("/api/auth/refresh");
    server.clock.advance(WINDOW_MS + 1);
    const responses = await Promise.all(Array.from({ length: 50 }, () => refreshWith(stolen)));
    for (const response of responses)
      expect(["REFRESH_REUSED", "SESSION_REVOKED"]).toContain(response.body.error.code);
    expect(events("refresh.reused", ada.user.id).length).toBeGreaterThanOrEqual(1);
    expectError(await ada.client.post("/api/auth/refresh"), "SESSION_REVOKED");
    expect(consistencyProblems(server)).toEqual([]);
  });

  it("refreshes racing a logout never answer 5xx, and the session ends revoked — RFC 9700 §4.14.2", async () => {
    const ada = await victim();
    const token = ada.refreshToken();
    const responses = await Promise.all([
      ...Array.from({ length: 30 }, () => refreshWith(token)),
      server.client().post("/api/auth/logout", { refreshToken: token }),
      ...Array.from({ length: 30 }, () => refreshWith(token)),
    ]);
    for (const response of responses) expect(response.status).toBeLessThan(500);
    expectError(await refreshWith(token), "SESSION_REVOKED");
    expect(consistencyProblems(server)).toEqual([]);
  });
});

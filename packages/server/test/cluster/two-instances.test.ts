import { randomUUID } from "node:crypto";
import type { AuditEvent } from "@baton/server";
import { decodeProtectedHeader } from "jose";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { startCluster, timeUntil, type Cluster } from "../support/cluster.js";
import { TestClient } from "../support/http-client.js";
import { probePostgres, probeRedis, serviceAvailable } from "../support/services.js";

const available =
  (await serviceAvailable("PostgreSQL", probePostgres)) &&
  (await serviceAvailable("Redis", probeRedis));
const PASSWORD = "correct horse battery";

describe.runIf(available)("two instances sharing PostgreSQL and Redis", () => {
  let cluster: Cluster;
  afterEach(() => cluster.close());

  it("log in on A, refresh on B, use the new token on A", async () => {
    cluster = await startCluster();
    const onA = cluster.client(cluster.a);
    const registered = await onA.post("/api/auth/register", {
      email: "ada@example.com",
      password: PASSWORD,
      transport: "body",
    });
    expect(registered.status).toBe(201);
    const onB = cluster.client(cluster.b);
    const refreshed = await onB.post("/api/auth/refresh", {
      refreshToken: registered.body.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    const me = await onA.get("/api/auth/me", refreshed.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe("ada@example.com");
  });

  it("logout on B: A rejects the access token within 1 s", async () => {
    cluster = await startCluster({ revocationPollInterval: "10s" }); // only the Redis announcement can be this fast
    const onA = cluster.client(cluster.a);
    const login = await onA.post("/api/auth/register", {
      email: "ada@example.com",
      password: PASSWORD,
      transport: "body",
    });
    expect((await onA.get("/api/auth/me", login.body.accessToken)).status).toBe(200);
    await cluster
      .client(cluster.b)
      .post("/api/auth/logout", { refreshToken: login.body.refreshToken });
    const elapsed = await timeUntil(
      async () => (await onA.get("/api/auth/me", login.body.accessToken)).status === 401,
      1000,
    );
    expect(elapsed).toBeLessThan(1000);
    expect((await onA.get("/api/auth/me", login.body.accessToken)).body.error.code).toBe(
      "SESSION_REVOKED",
    );
  });

  it("50 parallel refreshes of one token over both instances converge; no corruption, no reuse", async () => {
    cluster = await startCluster();
    const registered = await cluster.client(cluster.a).post("/api/auth/register", {
      email: "ada@example.com",
      password: PASSWORD,
      transport: "body",
    });
    const token = registered.body.refreshToken as string;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        cluster
          .client(i % 2 === 0 ? cluster.a : cluster.b)
          .post("/api/auth/refresh", { refreshToken: token }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const tokens = new Set(results.map((r) => r.body.refreshToken as string));
    expect(tokens.size).toBe(1);
    const [converged] = tokens;
    // The converged token is the session's one live token, and it keeps rotating normally.
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    const { rows } = await db.query(
      "select generation, retired_at from refresh_tokens order by generation",
    );
    const sessions = await db.query("select generation, revoked_at from sessions");
    await db.end();
    expect(sessions.rows).toEqual([{ generation: 1, revoked_at: null }]);
    expect(
      rows.map((r: { generation: number; retired_at: string | null }) => [
        r.generation,
        r.retired_at === null,
      ]),
    ).toEqual([
      [0, false],
      [1, true],
    ]);
    const next = await cluster
      .client(cluster.b)
      .post("/api/auth/refresh", { refreshToken: converged });
    expect(next.status).toBe(200);
  });

  it("rate-limit counts are shared by the instances", async () => {
    cluster = await startCluster({ authRateLimit: 4 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const server = i % 2 === 0 ? cluster.a : cluster.b;
      statuses.push((await cluster.client(server).post("/api/auth/refresh")).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });

  it("41 concurrent logins (40 wrong, 1 right) over both instances evaluate at most LOGIN_MAX_FAILURES=5 passwords — regression (issue 12 item 3)", async () => {
    const events: AuditEvent[] = [];
    cluster = await startCluster({ loginMaxFailures: 5, onAuditEvent: (e) => events.push(e) });
    // Redis is shared with other runs: an email of this run only.
    const email = `burst-${randomUUID()}@example.com`;
    const registered = await cluster
      .client(cluster.a)
      .post("/api/auth/register", { email, password: PASSWORD, transport: "body" });
    expect(registered.status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 41 }, (_, i) =>
        cluster
          .client(i % 2 === 0 ? cluster.a : cluster.b)
          .post("/api/auth/login", { email, password: i === 20 ? PASSWORD : `wrong ${i}` }),
      ),
    );
    const evaluated = events.filter(
      (e) =>
        e.userId === registered.body.user.id &&
        (e.type === "login.failed" || e.type === "login.succeeded"),
    ).length;
    expect(evaluated).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.status !== 429).length).toBe(evaluated);
  });

  it("a device cookie from A keeps the owner's own budget on B while other clients are locked out (issue 12 item 5)", async () => {
    cluster = await startCluster();
    const email = `owner-${randomUUID()}@example.com`;
    const owner = cluster.client(cluster.a);
    expect((await owner.post("/api/auth/register", { email, password: PASSWORD })).status).toBe(
      201,
    );
    for (let i = 0; i < 6; i++)
      await new TestClient(cluster.b.url).post("/api/auth/login", {
        email,
        password: `guess ${i}`,
      });
    const stranger = await new TestClient(cluster.a.url).post("/api/auth/login", {
      email,
      password: PASSWORD,
    });
    expect(stranger.status).toBe(429);
    const onB = new TestClient(cluster.b.url);
    for (const [name, value] of owner.jar) onB.jar.set(name, value);
    expect((await onB.post("/api/auth/login", { email, password: PASSWORD })).status).toBe(200);
  });

  it("a key rotated on A: new tokens verify on B and via B's JWKS; old tokens keep verifying", async () => {
    cluster = await startCluster();
    const onA = cluster.client(cluster.a);
    const onB = cluster.client(cluster.b);
    const before = await onA.post("/api/auth/register", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    const oldKid = decodeProtectedHeader(before.body.accessToken).kid;
    const rotated = await cluster.a.baton.rotateKeys();
    expect(rotated.kid).not.toBe(oldKid);
    const after = await onA.post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    expect(decodeProtectedHeader(after.body.accessToken).kid).toBe(rotated.kid);
    expect((await onB.get("/api/auth/me", after.body.accessToken)).status).toBe(200);
    expect((await onB.get("/api/auth/me", before.body.accessToken)).status).toBe(200);
    const kids = ((await onB.get("/.well-known/jwks.json")).body.keys as { kid: string }[]).map(
      (k) => k.kid,
    );
    expect(kids).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
  });

  it("a new key reaches an instance that missed the announcement, on the first token that uses it", async () => {
    cluster = await startCluster({ redis: false });
    const registered = await cluster
      .client(cluster.a)
      .post("/api/auth/register", { email: "ada@example.com", password: PASSWORD });
    expect(registered.status).toBe(201);
    await cluster.a.baton.rotateKeys();
    const login = await cluster
      .client(cluster.a)
      .post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
    expect(
      (await cluster.client(cluster.b).get("/api/auth/me", login.body.accessToken)).status,
    ).toBe(200);
  });
});

describe.runIf(available)("two instances sharing PostgreSQL only (no Redis)", () => {
  it("converge on revocations by polling within REVOCATION_POLL_INTERVAL", async () => {
    const cluster = await startCluster({ redis: false, revocationPollInterval: "500ms" });
    try {
      const onA = cluster.client(cluster.a);
      const login = await onA.post("/api/auth/register", {
        email: "ada@example.com",
        password: PASSWORD,
        transport: "body",
      });
      await cluster
        .client(cluster.b)
        .post("/api/auth/logout", { refreshToken: login.body.refreshToken });
      const elapsed = await timeUntil(
        async () => (await onA.get("/api/auth/me", login.body.accessToken)).status === 401,
        2000,
      );
      expect(elapsed).toBeLessThan(1000);
    } finally {
      await cluster.close();
    }
  });
});

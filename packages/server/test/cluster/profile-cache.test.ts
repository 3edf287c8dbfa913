// `/me` answers from a per-instance profile cache (users/profile-cache.ts): no database read per
// request, and never stale beyond the revocation bound on any instance. Two instances on
// PostgreSQL + Redis; the revocation poll is 10 s and the clock is moved by hand, so what reaches
// B fast can only have come through the revocation feed's announcement.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, timeUntil, type Cluster } from "../support/cluster.js";
import { ManualClock } from "../support/manual-clock.js";
import { probePostgres, probeRedis, serviceAvailable } from "../support/services.js";

const available =
  (await serviceAvailable("PostgreSQL", probePostgres)) &&
  (await serviceAvailable("Redis", probeRedis));
const PASSWORD = "correct horse battery";
const POLL_MS = 10_000;

describe.runIf(available)("the /me profile cache across two instances", () => {
  let cluster: Cluster;
  let db: pg.Client;
  const clock = new ManualClock(Date.now());
  beforeAll(async () => {
    cluster = await startCluster({
      revocationPollInterval: "10s",
      clock,
      adminEmail: "admin@example.com",
      adminPassword: PASSWORD,
    });
    db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await cluster.close();
  });

  async function signUp(email: string) {
    const registered = await cluster
      .client(cluster.a)
      .post("/api/auth/register", { email, password: PASSWORD, transport: "body" });
    expect(registered.status).toBe(201);
    return registered.body as { accessToken: string; refreshToken: string; user: { id: string } };
  }
  const adminToken = async () =>
    (
      await cluster.client(cluster.a).post("/api/auth/login", {
        email: "admin@example.com",
        password: PASSWORD,
        transport: "body",
      })
    ).body.accessToken as string;

  it("serves B's cached record without reading the database, until the poll interval has passed", async () => {
    const ada = await signUp("ada@example.com");
    const onB = cluster.client(cluster.b);
    expect((await onB.get("/api/auth/me", ada.accessToken)).body.user.name).toBeNull();
    // A change no revocation row records (as a future profile edit might be written): B keeps
    // its cached record, so it did not read the row again...
    await db.query("update users set name = 'Ada', updated_at = updated_at + 1 where id = $1", [
      ada.user.id,
    ]);
    expect((await onB.get("/api/auth/me", ada.accessToken)).body.user.name).toBeNull();
    // ...and reads it again once the entry is as old as the revocation poll interval.
    clock.advance(POLL_MS);
    expect((await onB.get("/api/auth/me", ada.accessToken)).body.user.name).toBe("Ada");
  });

  it("a role change on A reaches B's /me at once, not after the poll interval", async () => {
    const bob = await signUp("bob@example.com");
    const onB = cluster.client(cluster.b);
    expect((await onB.get("/api/auth/me", bob.accessToken)).body.user.roles).toEqual(["user"]);
    const changed = await cluster
      .client(cluster.a)
      .request("PUT", `/api/auth/admin/users/${bob.user.id}/roles`, {
        json: { roles: ["user", "editor"] },
        token: await adminToken(),
      });
    expect(changed.status).toBe(200);
    // The old token turns stale on B (the denylist, same feed); the refreshed one must not be
    // answered from the record B cached before the change.
    await timeUntil(
      async () => (await onB.get("/api/auth/me", bob.accessToken)).status === 401,
      2000,
    );
    const refreshed = await onB.post("/api/auth/refresh", { refreshToken: bob.refreshToken });
    expect(refreshed.status).toBe(200);
    const me = await onB.get("/api/auth/me", refreshed.body.accessToken);
    expect(me.body.user.roles).toEqual(["user", "editor"]);
  });

  it("a deletion on A: B refuses /me as soon as it has read the revocations", async () => {
    const cy = await signUp("cy@example.com");
    const onB = cluster.client(cluster.b);
    expect((await onB.get("/api/auth/me", cy.accessToken)).status).toBe(200);
    const deleted = await cluster
      .client(cluster.a)
      .request("DELETE", `/api/auth/admin/users/${cy.user.id}`, {
        token: await adminToken(),
      });
    expect(deleted.status).toBe(204);
    await timeUntil(
      async () => (await onB.get("/api/auth/me", cy.accessToken)).status === 401,
      2000,
    );
    expect((await onB.get("/api/auth/me", cy.accessToken)).body.error.code).toBe("SESSION_REVOKED");
  });
});

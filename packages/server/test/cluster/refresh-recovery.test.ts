import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "@baton/server";
import { startCluster, type Cluster } from "../support/cluster.js";
import { ManualClock } from "../support/manual-clock.js";
import { probePostgres, probeRedis, serviceAvailable } from "../support/services.js";
import type { ApiResponse } from "../support/http-client.js";

const available =
  (await serviceAvailable("PostgreSQL", probePostgres)) &&
  (await serviceAvailable("Redis", probeRedis));
const PASSWORD = "correct horse battery";

// Issue 12 item 9 on two instances sharing PostgreSQL: refresh recovery (sessions/refresh.ts)
// decides with conditional updates on the session row, so concurrent requests on different
// instances (separate connections, real row locks) must still end in one consistent state.
describe.runIf(available)("refresh recovery on two instances sharing PostgreSQL", () => {
  let cluster: Cluster;
  let clock: ManualClock;
  let events: AuditEvent[];
  afterEach(() => cluster.close());

  const start = async () => {
    clock = new ManualClock();
    events = [];
    cluster = await startCluster({ clock, onAuditEvent: (event) => events.push(event) });
  };
  const on = (i: number) => cluster.client(i % 2 === 0 ? cluster.a : cluster.b);
  let counter = 0;
  const device = async () => {
    const registered = await on(0).post("/api/auth/register", {
      email: `recovery-${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`,
      password: PASSWORD,
      transport: "body",
    });
    expect(registered.status).toBe(201);
    return {
      g0: registered.body.refreshToken as string,
      userId: registered.body.user.id as string,
    };
  };
  const refresh = (i: number, refreshToken: string) =>
    on(i).post("/api/auth/refresh", { refreshToken });
  const sessionRow = async (userId: string) => {
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{
        generation: number;
        redelivered_generation: number | null;
        revoked_at: string | null;
        live: string;
      }>(
        `select s.generation, s.redelivered_generation, s.revoked_at,
           (select count(*) from refresh_tokens t where t.session_id = s.id and t.retired_at is null
              and t.generation = s.generation) as live
         from sessions s where s.user_id = $1`,
        [userId],
      );
      return rows[0]!;
    } finally {
      await db.end();
    }
  };

  it("40 presentations of the parent after the window, over both instances, all get the same current token", async () => {
    await start();
    const { g0, userId } = await device();
    const dropped = await refresh(1, g0); // rotated on B; the answer never arrives
    expect(dropped.status).toBe(200);
    clock.advance(45_000);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => refresh(i, g0)));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(new Set(results.map((r) => r.body.refreshToken))).toEqual(
      new Set([dropped.body.refreshToken]),
    );
    expect(events.filter((e) => e.type === "refresh.recovered")).toHaveLength(40);
    expect(events.filter((e) => e.type === "refresh.reused")).toHaveLength(0);
    expect(await sessionRow(userId)).toMatchObject({
      generation: 1,
      redelivered_generation: 1,
      revoked_at: null,
      live: "1",
    });
    // The recovered token is the live one: it rotates on either instance.
    expect((await refresh(0, dropped.body.refreshToken as string)).status).toBe(200);
  });

  it("the parent racing its own child over both instances ends consistently, 15 rounds", async () => {
    await start();
    const outcomes = { recovered: 0, reused: 0 };
    for (let round = 0; round < 15; round++) {
      const { g0, userId } = await device();
      const g1 = (await refresh(round, g0)).body.refreshToken as string;
      clock.advance(30_000);
      // 4 holders of the parent on one instance, 4 presentations of the child on the other.
      const parents: Promise<ApiResponse>[] = [];
      const children: Promise<ApiResponse>[] = [];
      for (let i = 0; i < 4; i++) {
        parents.push(refresh(round + i * 2, g0));
        children.push(refresh(round + 1 + i * 2, g1));
      }
      const [fromParent, fromChild] = await Promise.all([
        Promise.all(parents),
        Promise.all(children),
      ]);
      for (const response of [...fromParent, ...fromChild])
        expect(response.status).toBeLessThan(500);
      const row = await sessionRow(userId);
      expect(row.live, "exactly one current token").toBe("1");
      const codes = fromParent.map((r) => (r.status === 200 ? "ok" : r.body.error.code));
      if (row.revoked_at === null) {
        // Every parent was judged before the child rotated: all recovered g1, which is marked.
        expect(codes).toEqual(Array(4).fill("ok"));
        expect(new Set(fromParent.map((r) => r.body.refreshToken))).toEqual(new Set([g1]));
        expect(row.redelivered_generation).toBe(1);
        expect(row.generation).toBe(2);
        // g1 was handed out twice; presented again after the window it is reuse.
        clock.advance(30_000);
        expect((await refresh(round, g1)).body.error.code).toBe("REFRESH_REUSED");
        outcomes.recovered += 1;
      } else {
        // A parent judged after the rotation is two generations old: the session ends.
        expect(codes).toContain("REFRESH_REUSED");
        for (const code of codes)
          expect(["ok", "REFRESH_REUSED", "SESSION_REVOKED"]).toContain(code);
        for (const response of fromParent.filter((r) => r.status === 200))
          expect(response.body.refreshToken).toBe(g1);
        outcomes.reused += 1;
      }
    }
    console.log(`[recovery race] 15 rounds: ${JSON.stringify(outcomes)}`);
  });
});

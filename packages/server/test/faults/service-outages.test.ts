import { afterAll, describe, expect, it } from "vitest";
import type { RunningServer } from "@baton/server";
import { startCluster, type Cluster } from "../support/cluster.js";
import type { TestClient } from "../support/http-client.js";
import {
  postgresControl,
  probePostgres,
  probeRedis,
  redisControl,
  serviceAvailable,
} from "../support/services.js";

// These tests stop and start the machine's real PostgreSQL and Redis, so they run on their own
// after the main suite (npm run test:faults), never beside other tests.
// Stopping a developer's database is not something `npm test` should do unasked: outside CI these
// run only with BATON_RESTART_SERVICES=1.
const allowed = Boolean(process.env.CI || process.env.BATON_RESTART_SERVICES);
if (!allowed) {
  console.warn(
    "Skipping the outage tests: they stop and start this machine's PostgreSQL and Redis (set BATON_RESTART_SERVICES=1 to run them).",
  );
}
const available =
  allowed &&
  (await serviceAvailable("PostgreSQL", probePostgres)) &&
  (await serviceAvailable("Redis", probeRedis));
const PASSWORD = "correct horse battery";
const CLIENTS = 10;

interface Tab {
  client: TestClient;
  token: string;
  statuses: number[];
}

/**
 * Clients refreshing in a loop (body transport) over both instances, like busy apps, each
 * refresh followed by a `/me` with the new access token when `withMe` is set. A 503 is retried
 * with the same token after a short pause, as the Baton client does; anything else than 200/503
 * would be a logout.
 */
function refreshStream(cluster: Cluster, tabs: Tab[], withMe = false) {
  let stopped = false;
  const loops = tabs.map(async (tab, i) => {
    const server: RunningServer = i % 2 === 0 ? cluster.a : cluster.b;
    while (!stopped) {
      const response = await tab.client
        .post("/api/auth/refresh", { refreshToken: tab.token })
        .catch(() => ({ status: 0, body: null }));
      tab.statuses.push(response.status);
      let status = response.status;
      if (response.status === 200) {
        tab.token = response.body.refreshToken as string;
        if (withMe) {
          const me = await tab.client
            .get("/api/auth/me", response.body.accessToken as string)
            .catch(() => ({ status: 0 }));
          tab.statuses.push(me.status);
          status = me.status;
        }
      }
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100)); // client back-off, not synchronisation
      void server;
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Resolves once `predicate` holds, checking as the stream makes progress. */
async function until(predicate: () => boolean, limitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function signUpTabs(cluster: Cluster): Promise<Tab[]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const client = cluster.client(i % 2 === 0 ? cluster.a : cluster.b);
      const response = await client.post("/api/auth/register", {
        email: `user${i}@example.com`,
        password: PASSWORD,
        transport: "body",
      });
      expect(response.status).toBe(201);
      return { client, token: response.body.refreshToken as string, statuses: [] };
    }),
  );
}

async function outageScenario(
  cluster: Cluster,
  outage: { stop(): Promise<void>; start(): Promise<void> },
  withMe = false,
) {
  const tabs = await signUpTabs(cluster);
  const stream = refreshStream(cluster, tabs, withMe);
  const count = (status: number) =>
    tabs.reduce((sum, tab) => sum + tab.statuses.filter((s) => s === status).length, 0);
  try {
    await until(() => count(200) >= 50, 20_000, "a steady stream");
    await outage.stop();
    await until(() => count(503) >= CLIENTS, 20_000, "the outage to be seen as 503s");
    const successesBefore = tabs.map((tab) => tab.statuses.filter((s) => s === 200).length);
    await outage.start();
    // Every client continues: each gets at least three more successful refreshes.
    await until(
      () =>
        tabs.every(
          (tab, i) => tab.statuses.filter((s) => s === 200).length >= successesBefore[i]! + 3,
        ),
      30_000,
      "every client to recover",
    );
  } finally {
    await stream.stop();
  }
  const seen = new Set(tabs.flatMap((tab) => tab.statuses));
  expect([...seen].sort()).toEqual([200, 503]);
  // No session was lost: each one still refreshes and its access token works.
  for (const tab of tabs) {
    const refreshed = await tab.client.post("/api/auth/refresh", { refreshToken: tab.token });
    expect(refreshed.status).toBe(200);
    expect((await tab.client.get("/api/auth/me", refreshed.body.accessToken)).status).toBe(200);
  }
  return { ok: count(200), unavailable: count(503) };
}

describe.runIf(available).sequential("outages of the real services", () => {
  afterAll(async () => {
    // Leave the machine as found, whatever happened.
    await probePostgres().catch(() => postgresControl.start());
    await probeRedis().catch(() => redisControl.start());
  });

  it("PostgreSQL stopped and restarted during a stream of refreshes: only 503s meanwhile, no session lost", async () => {
    const cluster = await startCluster({ authRateLimit: 0 });
    try {
      const result = await outageScenario(cluster, postgresControl);
      console.log(
        `PostgreSQL outage: ${result.ok} refreshes ok, ${result.unavailable} answered 503, 0 other`,
      );
    } finally {
      await cluster.close();
    }
  }, 120_000);

  // A successful refresh spends no rate-limit budget (http/request-budgets.ts), so it needs no
  // Redis; `/me` spends its session's budget there and is what sees the outage.
  it("Redis stopped and restarted during a stream of refreshes and /me calls: only 503s meanwhile, no session lost", async () => {
    const cluster = await startCluster({ authRateLimit: 100_000, sessionRateLimit: 100_000 });
    try {
      const result = await outageScenario(cluster, redisControl, true);
      console.log(
        `Redis outage: ${result.ok} refreshes and /me ok, ${result.unavailable} answered 503, 0 other`,
      );
    } finally {
      await cluster.close();
    }
  }, 120_000);
});

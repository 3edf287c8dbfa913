import { afterEach, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/cluster.js";
import { probePostgres, probeRedis, serviceAvailable } from "../support/services.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { consistencyProblems } from "../security/support/attack-kit.js";
import { runInterleavings, type InterleavingReport } from "./interleaving-harness.js";

// Seeded random interleavings of every account and session operation against real servers, with
// the invariants of interleaving-harness.ts checked after each batch. A failure prints its seed:
// BATON_INTERLEAVING_SEED=<seed> replays the same schedule.

const ADMIN = { email: "root@example.com", password: "admin password 1234" };
const seedFor = (offset: number) =>
  process.env.BATON_INTERLEAVING_SEED === undefined
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.BATON_INTERLEAVING_SEED) + offset;

function summary(name: string, report: InterleavingReport): string {
  const kinds = Object.entries(report.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ");
  return (
    `${name}: seed ${report.seed}: ${report.operations} operations in ${report.steps} concurrent ` +
    `batches (${report.distinctBatches} distinct mixes), ${report.checks} invariant checks [${kinds}]`
  );
}

function expectClean(name: string, report: InterleavingReport): void {
  console.log(summary(name, report));
  expect(report.violations, `${summary(name, report)}\n${report.violations.join("\n")}`).toEqual(
    [],
  );
}

describe("random interleavings on SQLite (one instance)", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("never a 5xx, revocations hold at once, no superseded password survives, budgets hold", async () => {
    server = await startTestServer("fastify", {
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      trustProxy: true,
    });
    const report = await runInterleavings({
      name: "sqlite",
      urls: [server.url],
      propagationMs: 0,
      admin: ADMIN,
      guessBudget: server.baton.config.loginMaxFailures,
      steps: 60,
      seed: seedFor(0),
    });
    expectClean("SQLite", report);
    expect(consistencyProblems(server)).toEqual([]);
  });
});

const clusterAvailable =
  (await serviceAvailable("PostgreSQL", probePostgres)) &&
  (await serviceAvailable("Redis", probeRedis));

describe.runIf(clusterAvailable)("random interleavings on PostgreSQL (two instances)", () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it.each([
    ["with Redis", true, 60],
    ["poll only", false, 25],
  ] as const)(
    "%s: revocations reach both instances within 1.5 s, nothing else changes",
    async (name, redis, steps) => {
      cluster = await startCluster({
        redis,
        adminEmail: ADMIN.email,
        adminPassword: ADMIN.password,
      });
      const report = await runInterleavings({
        name,
        urls: [cluster.a.url, cluster.b.url],
        propagationMs: 1500,
        admin: ADMIN,
        // Without Redis each instance counts in its own memory (docs/security.md, known limits).
        guessBudget: cluster.a.baton.config.loginMaxFailures * (redis ? 1 : 2),
        steps,
        seed: seedFor(redis ? 1 : 2),
      });
      expectClean(`PostgreSQL, two instances, ${name}`, report);
    },
  );
});

import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/cluster.js";
import type { ApiResponse, TestClient } from "../support/http-client.js";
import { probePostgres, probeRedis, serviceAvailable } from "../support/services.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { databaseFile, expectError } from "./support/attack-kit.js";

// Account operations racing each other, as an unlucky user or a quick attacker would make them
// race: logins with the old password while the password changes, logins while the account is
// deleted, two admins demoting (or deleting) each other at the same moment. Each runs on SQLite
// (one instance) and on PostgreSQL with two instances sharing the database.
//
// Racers are timed from a measured duration (of a password change, of a burst of logins), so
// every phase of the other operation (before the hash is read, during the argon2 work, around
// the commit) gets racers; the interleaving itself is left to the real server.

const OLD_PASSWORD = "the old password, known to a thief";
const NEW_PASSWORD = "the new password, known to the owner";
const ADMIN = { email: "root@example.com", password: "admin-password-1" };
/** Only concurrency is tested here: the login lockout must not get in the way. */
const NO_LOCKOUT = { loginMaxFailures: 1000, loginMaxFailuresPerIp: 100_000 };
const SESSION_RULE = "OWASP ASVS 3.3.3 (a password change ends the other sessions); CWE-362";

const pgAvailable =
  (await serviceAvailable("PostgreSQL", probePostgres)) &&
  (await serviceAvailable("Redis", probeRedis));

/** One deployment under test: where requests go, and direct SQL for arranging and counting. */
interface Deployment {
  /** The instance the i-th racer talks to (alternating on a cluster). */
  instance(i: number): TestClient;
  /** Every instance: a token must be dead on all of them. */
  instances(): TestClient[];
  sql(statement: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Time to let a revocation reach the other instances (the propagation bound). */
  propagationMs: number;
  close(): Promise<void>;
}

function sqliteDeployment(server: TestServer): Deployment {
  return {
    instance: () => server.client(),
    instances: () => [server.client()],
    sql(statement, params = []) {
      const db = new BetterSqlite3(databaseFile(server), { fileMustExist: true });
      db.pragma("busy_timeout = 5000");
      try {
        const prepared = db.prepare(statement.replace(/\$\d+/g, "?"));
        return Promise.resolve(
          prepared.reader
            ? (prepared.all(...params) as Record<string, unknown>[])
            : (prepared.run(...params), []),
        );
      } finally {
        db.close();
      }
    },
    propagationMs: 0,
    close: () => server.close(),
  };
}

function clusterDeployment(cluster: Cluster): Deployment {
  return {
    instance: (i) => cluster.client(i % 2 === 0 ? cluster.a : cluster.b),
    instances: () => [cluster.client(cluster.a), cluster.client(cluster.b)],
    async sql(statement, params = []) {
      const client = new pg.Client({ connectionString: cluster.databaseUrl });
      await client.connect();
      try {
        return (await client.query(statement, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    propagationMs: 1_500,
    close: () => cluster.close(),
  };
}

const deployments: [string, boolean, () => Promise<Deployment>][] = [
  [
    "SQLite, one instance",
    true,
    async () =>
      sqliteDeployment(
        await startTestServer("fastify", {
          ...NO_LOCKOUT,
          adminEmail: ADMIN.email,
          adminPassword: ADMIN.password,
        }),
      ),
  ],
  [
    "PostgreSQL, two instances",
    pgAvailable,
    async () =>
      clusterDeployment(
        await startCluster({
          ...NO_LOCKOUT,
          adminEmail: ADMIN.email,
          adminPassword: ADMIN.password,
        }),
      ),
  ],
];

const unique = (prefix: string) => `${prefix}-${randomBytes(5).toString("hex")}@example.com`;

/** Starts `count` requests spread evenly over `spanMs` (the first at once). */
function staggered<T>(count: number, spanMs: number, start: (i: number) => Promise<T>) {
  return Array.from({ length: count }, async (_, i) => {
    await sleep((spanMs * i) / count);
    return start(i);
  });
}

/**
 * Whether a session still works anywhere: its refresh token rotates, or its access token is
 * accepted. The probe is `GET /sessions`, which only authenticates (like a host app's
 * `requireAuth()`): `/me` would also read the user and hide a deleted user's live token.
 */
async function stillWorks(
  deployment: Deployment,
  tokens: { accessToken: string; refreshToken: string },
): Promise<boolean> {
  for (const client of deployment.instances()) {
    const refreshed = await client.post("/api/auth/refresh", { refreshToken: tokens.refreshToken });
    if (refreshed.status === 200) return true;
  }
  const deadline = performance.now() + deployment.propagationMs;
  for (;;) {
    const answers = await Promise.all(
      deployment.instances().map((client) => client.get("/api/auth/sessions", tokens.accessToken)),
    );
    if (answers.every((answer) => answer.status === 401)) return false;
    if (performance.now() >= deadline) return true;
    await sleep(100);
  }
}

const isServerError = (answer: ApiResponse) => answer.status >= 500;

describe.each(deployments)("%s", (_name, available, open) => {
  let deployment: Deployment;
  beforeAll(async () => {
    if (available) deployment = await open();
  });
  afterAll(() => deployment?.close());

  async function register(email: string, password: string) {
    const registered = await deployment
      .instance(0)
      .post("/api/auth/register", { email, password, transport: "body" });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    return registered.body as { accessToken: string; refreshToken: string; user: { id: string } };
  }

  async function login(i: number, email: string, password: string) {
    return deployment.instance(i).post("/api/auth/login", { email, password, transport: "body" });
  }

  /** How long one password change takes here (the span racers are spread over). */
  async function passwordChangeMs(): Promise<number> {
    const owner = await register(unique("warmup"), OLD_PASSWORD);
    const started = performance.now();
    const changed = await deployment
      .instance(0)
      .post(
        "/api/auth/password",
        { currentPassword: OLD_PASSWORD, newPassword: NEW_PASSWORD, transport: "body" },
        { token: owner.accessToken },
      );
    expect(changed.status).toBe(200);
    return performance.now() - started;
  }

  it.runIf(available)(
    `5 rounds × 16 logins with the old password racing a password change: no session opened with the old password survives — ${SESSION_RULE}`,
    async () => {
      const spanMs = 1.5 * (await passwordChangeMs());
      let opened = 0;
      let refused = 0;
      const survivors: string[] = [];
      const serverErrors: string[] = [];
      for (let round = 0; round < 5; round++) {
        const email = unique(`race-${round}`);
        const owner = await register(email, OLD_PASSWORD);
        const change = deployment
          .instance(0)
          .post(
            "/api/auth/password",
            { currentPassword: OLD_PASSWORD, newPassword: NEW_PASSWORD, transport: "body" },
            { token: owner.accessToken },
          );
        const logins = staggered(16, spanMs, (i) => login(i + 1, email, OLD_PASSWORD));
        const [changed, ...answers] = await Promise.all([change, ...logins]);
        expect(changed.status, JSON.stringify(changed.body)).toBe(200);
        for (const answer of answers) {
          if (isServerError(answer)) serverErrors.push(JSON.stringify(answer.body));
          else if (answer.status === 200) opened++;
          else {
            expectError(answer, "INVALID_CREDENTIALS");
            refused++;
          }
        }
        for (const answer of answers.filter((a) => a.status === 200)) {
          if (await stillWorks(deployment, answer.body)) survivors.push(`round ${round}`);
        }
        // The owner's own session, renewed by the change, keeps working; the new password works.
        expect(
          (
            await deployment
              .instance(1)
              .post("/api/auth/refresh", { refreshToken: changed.body.refreshToken })
          ).status,
        ).toBe(200);
        expect((await login(0, email, NEW_PASSWORD)).status).toBe(200);
      }
      console.info(
        `[${_name}] 80 old-password logins racing a password change: ${opened} opened a session, ${refused} refused, ${survivors.length} sessions still worked afterwards, ${serverErrors.length} 5xx`,
      );
      expect(serverErrors).toEqual([]);
      expect(survivors).toEqual([]);
    },
    120_000,
  );

  it.runIf(available)(
    "42 logins racing the deletion of their user: every answer is 200 or 401, never a 5xx, and no session outlives the user — CWE-362 (race condition); OWASP ASVS 3.3.1",
    async () => {
      const admin = await login(0, ADMIN.email, ADMIN.password);
      expect(admin.status).toBe(200);
      // 42 concurrent logins queue for the password hashing threads and finish one after
      // another over D ms (measured on a warm-up user); the deletion lands at 20 %, 50 % and
      // 80 % of D, so logins insert their sessions before, around and after it.
      const probe = unique("probe");
      await register(probe, OLD_PASSWORD);
      const started = performance.now();
      await Promise.all(Array.from({ length: 42 }, (_, i) => login(i, probe, OLD_PASSWORD)));
      const burstMs = performance.now() - started;

      const statuses = new Map<string, number>();
      const survivors: string[] = [];
      for (const [round, fraction] of [0.2, 0.5, 0.8].entries()) {
        const email = unique(`doomed-${round}`);
        const doomed = await register(email, OLD_PASSWORD);
        const logins = Array.from({ length: 42 }, (_, i) => login(i, email, OLD_PASSWORD));
        const deletion = (async () => {
          await sleep(burstMs * fraction);
          return deployment
            .instance(1)
            .request("DELETE", `/api/auth/admin/users/${doomed.user.id}`, {
              token: admin.body.accessToken,
            });
        })();
        const [deleted, ...answers] = await Promise.all([deletion, ...logins]);
        expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
        for (const answer of answers) {
          const key = `${answer.status} ${answer.body?.error?.code ?? ""}`.trim();
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
        for (const answer of answers.filter((a) => a.status === 200))
          if (await stillWorks(deployment, answer.body)) survivors.push(`round ${round}`);
        expect(
          await deployment.sql("select id from sessions where user_id = $1", [doomed.user.id]),
        ).toEqual([]);
      }
      console.info(
        `[${_name}] 126 logins racing the deletion of their user: ${JSON.stringify(Object.fromEntries(statuses))}; ${survivors.length} sessions outlived the user`,
      );
      expect(
        [...statuses.keys()].filter((key) => key !== "200" && key !== "401 INVALID_CREDENTIALS"),
      ).toEqual([]);
      expect(survivors).toEqual([]);
    },
    120_000,
  );

  it.runIf(available)(
    "two admins removing each other at the same moment (demote/demote, delete/delete, demote/delete), 12 rounds: never zero admins, never a 5xx — CWE-362; CWE-269",
    async () => {
      const admins = async () =>
        (await deployment.sql(`select id, roles from users`)).filter((row) =>
          (JSON.parse(String(row.roles)) as string[]).includes("admin"),
        ).length;
      const outcomes = new Map<string, number>();
      let roundsWithoutAdmin = 0;
      for (let round = 0; round < 12; round++) {
        // Arrange exactly two admins, P and Q, each with a fresh admin token.
        const p = await register(unique(`p-${round}`), OLD_PASSWORD);
        const q = await register(unique(`q-${round}`), OLD_PASSWORD);
        await deployment.sql(`update users set roles = '["user"]' where roles like '%"admin"%'`);
        await deployment.sql(`update users set roles = '["admin","user"]' where id in ($1, $2)`, [
          p.user.id,
          q.user.id,
        ]);
        const pToken = (
          await deployment.instance(0).post("/api/auth/refresh", { refreshToken: p.refreshToken })
        ).body.accessToken as string;
        const qToken = (
          await deployment.instance(1).post("/api/auth/refresh", { refreshToken: q.refreshToken })
        ).body.accessToken as string;
        expect(await admins()).toBe(2);

        const remove = (i: number, token: string, target: string, kind: "demote" | "delete") =>
          kind === "demote"
            ? deployment.instance(i).request("PUT", `/api/auth/admin/users/${target}/roles`, {
                token,
                json: { roles: ["user"] },
              })
            : deployment
                .instance(i)
                .request("DELETE", `/api/auth/admin/users/${target}`, { token });
        const kinds = (["demote", "delete"] as const)[round % 2]!;
        const other = round % 3 === 2 ? (kinds === "demote" ? "delete" : "demote") : kinds;
        const answers = await Promise.all([
          remove(0, pToken, q.user.id, kinds),
          remove(1, qToken, p.user.id, other),
        ]);
        for (const answer of answers) {
          const key = `${answer.status} ${answer.body?.error?.code ?? ""}`.trim();
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
        expect(answers.filter(isServerError)).toEqual([]);
        const left = await admins();
        if (left === 0) roundsWithoutAdmin++;
      }
      console.info(
        `[${_name}] 12 rounds of two admins removing each other: ${roundsWithoutAdmin} left no admin; answers ${JSON.stringify(Object.fromEntries(outcomes))}`,
      );
      expect(roundsWithoutAdmin).toBe(0);
    },
    120_000,
  );
});

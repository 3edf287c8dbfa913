// The bench's results as tables, targets, charts and the generated docs/benchmarks.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, freemem, release, totalmem } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "./harness/measure.js";
import { DURATION, PIN, RUNS, root } from "./harness/settings.js";
import type { Framework, FrameworkResults } from "./scenarios/frameworks.js";
import type { LoginStreamResults } from "./scenarios/login-stream.js";
import type { PeerResults } from "./scenarios/peer.js";
import type { InstanceResults } from "./scenarios/two-instances.js";
import type { ProtectedRouteResults } from "./scenarios/protected-route.js";
import { REFRESH_CLIENTS, type RefreshResults } from "./scenarios/refresh.js";
import { barChart, percentileChart } from "./svg-charts.js";

/** One line of the results table; `group` decides which chart it appears in. */
export interface Row {
  group: string;
  name: string;
  result: LoadResult;
  ratio?: { value: number; of: string };
}

export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

const cpuRatio = (baseline: LoadResult, run: LoadResult) =>
  (baseline.cpuUsPerRequest ?? Number.NaN) / (run.cpuUsPerRequest ?? Number.NaN);

export function frameworkRows(results: Record<Framework, FrameworkResults>): Row[] {
  return Object.entries(results).flatMap(([framework, { bare, embedded }]) => {
    const name = framework === "fastify" ? "Fastify" : "Express";
    return [
      { group: "frameworks", name: `${name}, bare app, no Baton (ceiling)`, result: bare },
      {
        group: "frameworks",
        name: `${name} + Baton as the README embeds it, requireAuth route`,
        result: embedded,
        ratio: {
          value: embedded.requestsPerSecond / bare.requestsPerSecond,
          of: `bare ${name} (by CPU/req ${cpuRatio(bare, embedded).toFixed(2)}×)`,
        },
      },
    ];
  });
}

export function peerRows(results: PeerResults): Row[] {
  const { batonProtected, batonMe, betterAuth, betterAuthCookieCache } = results;
  const ofBaton = (run: LoadResult) => ({
    value: run.requestsPerSecond / batonProtected.requestsPerSecond,
    of: `Baton's protected route (Baton ${(batonProtected.requestsPerSecond / run.requestsPerSecond).toFixed(1)}× it)`,
  });
  return [
    { group: "peer", name: "Baton protected route (standalone, SQLite)", result: batonProtected },
    {
      group: "peer",
      name: "Baton GET /api/auth/me",
      result: batonMe,
      ratio: {
        value: batonMe.requestsPerSecond / batonProtected.requestsPerSecond,
        of: "Baton's protected route",
      },
    },
    {
      group: "peer",
      name: "better-auth get-session (SQLite)",
      result: betterAuth,
      ratio: ofBaton(betterAuth),
    },
    {
      group: "peer",
      name: "better-auth get-session, cookie cache on",
      result: betterAuthCookieCache,
      ratio: ofBaton(betterAuthCookieCache),
    },
  ];
}

export function instanceRows(results: InstanceResults): Row[] {
  const { one, two } = results;
  return [
    { group: "instances", name: "refresh, PostgreSQL + Redis, one instance", result: one.refresh },
    {
      group: "instances",
      name: "refresh, PostgreSQL + Redis, two instances",
      result: two.refresh,
      ratio: {
        value: two.refresh.requestsPerSecond / one.refresh.requestsPerSecond,
        of: "one instance",
      },
    },
    {
      group: "instances",
      name: "protected route, one instance",
      result: one.protectedRoute,
    },
    {
      group: "instances",
      name: "protected route, two instances",
      result: two.protectedRoute,
      ratio: {
        value: two.protectedRoute.requestsPerSecond / one.protectedRoute.requestsPerSecond,
        of: "one instance",
      },
    },
  ];
}

export function protectedRows(results: ProtectedRouteResults): Row[] {
  const { ceiling, reused, fresh, seed, me, meProtected } = results;
  const ofCeiling = (run: LoadResult) => ({
    value: run.requestsPerSecond / ceiling.requestsPerSecond,
    of: "ceiling",
  });
  return [
    {
      group: "protected",
      name: "Fastify, no auth, in Baton's standalone app (ceiling)",
      result: ceiling,
    },
    {
      group: "protected",
      name: "Baton requireAuth, token reused",
      result: reused,
      ratio: ofCeiling(reused),
    },
    {
      group: "protected",
      name: "Baton requireAuth, new token every request",
      result: fresh,
      ratio: ofCeiling(fresh),
    },
    {
      group: "protected",
      name: "seed-style Express + jsonwebtoken + user lookup",
      result: seed,
      ratio: ofCeiling(seed),
    },
    {
      group: "protected",
      name: "GET /api/auth/me, token reused (profile cache)",
      result: me,
      ratio: { value: me.requestsPerSecond / meProtected.requestsPerSecond, of: "protected route" },
    },
  ];
}

export function refreshRows(sqlite: RefreshResults, postgres: RefreshResults | undefined): Row[] {
  const rows: Row[] = [];
  for (const [store, results] of [
    ["SQLite", sqlite],
    ["PostgreSQL", postgres],
  ] as const) {
    if (results === undefined) continue;
    for (const clients of REFRESH_CLIENTS) {
      const pair = results[clients]!;
      const label = `${clients} client${clients > 1 ? "s" : ""}`;
      rows.push({
        group: "refresh",
        name: `refresh, ${store}, ${label}: hand-written rotation`,
        result: pair.baseline,
      });
      rows.push({
        group: "refresh",
        name: `refresh, ${store}, ${label}: Baton, every feature on`,
        result: pair.baton,
        ratio: {
          value: pair.baton.requestsPerSecond / pair.baseline.requestsPerSecond,
          of: `hand-written (p99 ${(pair.baton.p99 / pair.baseline.p99).toFixed(2)}×)`,
        },
      });
    }
  }
  return rows;
}

export function loginRows(logins: LoginStreamResults): Row[] {
  return [
    { group: "logins", name: "protected route, no logins", result: logins.quiet },
    {
      group: "logins",
      name: "protected route, during 40 logins/s",
      result: logins.busy,
      ratio: { value: logins.busy.p99 / logins.quiet.p99, of: "p99 without logins" },
    },
    { group: "logins", name: "the login stream itself", result: logins.logins },
  ];
}

/** Everything a full run measured. */
export interface BenchResults {
  frameworks: Record<Framework, FrameworkResults>;
  protectedRoute: ProtectedRouteResults;
  sqliteRefresh: RefreshResults;
  pgRefresh: RefreshResults | undefined;
  peer: PeerResults;
  instances: InstanceResults | undefined;
  logins: LoginStreamResults;
  rss: Record<string, number>;
}

/** The performance targets Baton holds itself to (issue 17 and before), each with its value. */
export function targets(results: BenchResults): Target[] {
  const { frameworks, protectedRoute, sqliteRefresh, pgRefresh, instances, logins, rss } = results;
  const list: { target: string; measured: number; pass: (v: number) => boolean; unit: string }[] =
    [];
  for (const [framework, { bare, embedded }] of Object.entries(frameworks)) {
    const name = framework === "fastify" ? "Fastify" : "Express";
    list.push(
      {
        target: `${name} + Baton (README embedding, requireAuth) ≥ 0.9× a bare ${name} app, req/s`,
        measured: embedded.requestsPerSecond / bare.requestsPerSecond,
        pass: (v) => v >= 0.9,
        unit: "×",
      },
      {
        target: `the same by server CPU per request`,
        measured: cpuRatio(bare, embedded),
        pass: (v) => v >= 0.9,
        unit: "×",
      },
    );
  }
  list.push(
    {
      target: "GET /me ≥ 0.8× the protected route, req/s (profile cache, no database read)",
      measured: protectedRoute.me.requestsPerSecond / protectedRoute.meProtected.requestsPerSecond,
      pass: (v) => v >= 0.8,
      unit: "×",
    },
    {
      target: "the same by server CPU per request",
      measured: cpuRatio(protectedRoute.meProtected, protectedRoute.me),
      pass: (v) => v >= 0.8,
      unit: "×",
    },
    {
      target: "protected route with Baton auth ≥ 10× the seed-style implementation (token reused)",
      measured: protectedRoute.reused.requestsPerSecond / protectedRoute.seed.requestsPerSecond,
      pass: (v) => v >= 10,
      unit: "×",
    },
  );
  for (const [store, refresh] of [
    ["SQLite", sqliteRefresh],
    ["PostgreSQL", pgRefresh],
  ] as const) {
    if (refresh === undefined) continue;
    for (const clients of REFRESH_CLIENTS) {
      const { baton, baseline } = refresh[clients]!;
      list.push(
        {
          target: `refresh on ${store}, ${clients} client${clients > 1 ? "s" : ""}: Baton (every feature on) ≥ 1.0× the hand-written rotation, req/s`,
          measured: baton.requestsPerSecond / baseline.requestsPerSecond,
          pass: (v) => v >= 1,
          unit: "×",
        },
        {
          target: "… and p99 ≤ 1.5× the hand-written rotation's",
          measured: baton.p99 / baseline.p99,
          pass: (v) => v <= 1.5,
          unit: "×",
        },
      );
    }
  }
  list.push(
    {
      target: "server RSS idle < 120 MiB",
      measured: (rss["0"] ?? Number.NaN) / 2 ** 20,
      pass: (v) => v < 120,
      unit: " MiB",
    },
    {
      target: "server RSS with 100,000 live sessions (each token verified once) < 150 MiB",
      measured: (rss["100000"] ?? Number.NaN) / 2 ** 20,
      pass: (v) => v < 150,
      unit: " MiB",
    },
  );
  if (instances)
    list.push(
      {
        target: "two instances (PostgreSQL + Redis) ≥ 1.0× one: refreshes/s",
        measured: instances.two.refresh.requestsPerSecond / instances.one.refresh.requestsPerSecond,
        pass: (v) => v >= 1,
        unit: "×",
      },
      {
        target: "two instances ≥ 1.0× one: protected requests/s",
        measured:
          instances.two.protectedRoute.requestsPerSecond /
          instances.one.protectedRoute.requestsPerSecond,
        pass: (v) => v >= 1,
        unit: "×",
      },
    );
  list.push({
    target: "protected-route p99 under a login stream ≤ 2× its p99 without",
    measured: logins.busy.p99 / logins.quiet.p99,
    pass: (v) => v <= 2,
    unit: "×",
  });
  return list.map((t) => ({
    target: t.target,
    measured: `${t.measured.toFixed(2)}${t.unit}`,
    met: t.pass(t.measured),
  }));
}

/**
 * Prints the tables and writes docs/benchmarks.md, docs/benchmarks/results.json and the SVG
 * charts. Returns the run's length in seconds (since `started`).
 */
export function writeReport(report: {
  rows: Row[];
  rss: Record<string, number>;
  targets: Target[];
  started: number;
}): number {
  const { rows, rss } = report;
  const machine = {
    cpu: `${cpus()[0]?.model ?? "unknown"} × ${cpus().length}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB (${Math.round(freemem() / 2 ** 30)} GiB free)`,
    os: `Linux ${release()}`,
    node: process.version,
    pinned: PIN ? "server on core 0, load generator on core 1 (taskset)" : "not pinned",
    durationPerRun: `${DURATION} s`,
    repetitions: `every ratio: ${2 * RUNS} adjacent pairs (alternating which runs first), the median-ratio pair is shown; peer: ${RUNS} rounds; two instances: ${RUNS} runs, the median one shown`,
    date: new Date().toISOString(),
    totalSeconds: Math.round((Date.now() - report.started) / 1000),
  };

  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const table = [
    "| scenario | req/s | p50 ms | p99 ms | non-2xx | server CPU µs/req | steal | ratio |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
    ...rows.map(
      (row) =>
        `| ${row.name} | ${fmt(row.result.requestsPerSecond)} | ${row.result.p50} | ${row.result.p99} | ${row.result.non2xx} | ${row.result.cpuUsPerRequest ?? "–"} | ${row.result.stealPercent ?? "–"}% | ${row.ratio ? `${row.ratio.value.toFixed(2)}× ${row.ratio.of}` : "baseline"} |`,
    ),
  ].join("\n");
  const memoryTable = [
    "| live sessions (each token verified once) | server RSS |",
    "|---:|---:|",
    ...Object.entries(rss).map(
      ([n, bytes]) => `| ${fmt(Number(n))} | ${(bytes / 2 ** 20).toFixed(0)} MiB |`,
    ),
  ].join("\n");
  const targetTable = [
    "| target | measured | met |",
    "|---|---:|---|",
    ...report.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? "yes" : "**no**"} |`),
  ].join("\n");

  console.log(`\n${table}\n\n${memoryTable}\n\n${targetTable}\n`);

  mkdirSync(join(root, "docs/benchmarks"), { recursive: true });
  writeFileSync(
    join(root, "docs/benchmarks/results.json"),
    `${JSON.stringify({ machine, rows, rss, targets: report.targets }, null, 2)}\n`,
  );
  writeFileSync(
    join(root, "docs/benchmarks/throughput.svg"),
    barChart(
      "Throughput (requests per second, higher is better)",
      "req/s",
      rows
        .filter((r) => r.group !== "logins")
        .map((r) => ({ label: r.name, value: r.result.requestsPerSecond })),
    ),
  );
  writeFileSync(
    join(root, "docs/benchmarks/latency.svg"),
    percentileChart(
      "Latency percentiles (ms, lower is better)",
      rows.map((r) => ({ label: r.name, p50: r.result.p50, p99: r.result.p99 })),
    ),
  );
  writeFileSync(
    join(root, "docs/benchmarks.md"),
    `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts) — do not edit by hand. Every figure below was
measured in one run, on 127.0.0.1; ratios compare with a baseline measured in the same run.

## Machine

| | |
|---|---|
${Object.entries(machine)
  .map(([k, v]) => `| ${k} | ${v} |`)
  .join("\n")}

The load generator is autocannon in its own process. To pin by hand:
\`taskset -c 0 node --import tsx bench/servers/baton-server.ts\` and
\`taskset -c 1 node --import tsx bench/load.ts '<job JSON>'\` (\`BENCH_PIN=0\` disables pinning,
\`BENCH_DURATION\` sets seconds per run, \`BENCH_RUNS\` the repetitions).

## Results

${table}

- *bare app (ceiling)*: Fastify or Express with no Baton loaded at all, answering the same JSON
  (bench/servers/framework-app.ts); *Baton as the README embeds it*: \`createBaton\`,
  \`batonFastify\` / \`batonExpress\` registered on the app, \`requireAuth()\` on the app's own
  route, token reused (verified-token cache). Both servers stay up; runs alternate in pairs.
- *in Baton's standalone app (ceiling)*: the same Fastify route without the \`requireAuth\`
  preHandler, inside \`baton serve\`'s app (its logger and hooks included).
- *GET /api/auth/me*: the full pipeline of a Baton route (CSRF check, auth, session budget off,
  metrics, CORS and no-store headers) answered from the profile cache: no database read.
- *seed-style*: Express + \`jsonwebtoken\` with a string secret + a user lookup by id on every
  request (SQLite), as the seed applications verify tokens; it re-verifies every request.
- *new token every request*: every request carries a token never seen before (cache misses, so
  an Ed25519 signature verification each time) — the worst case.
- *refresh*: each client owns a session and follows its rotation chain. The bench checks that
  every answer carried a new refresh token: a replayed token is answered too (the grace
  window), more cheaply, and would flatter the figures. *Hand-written rotation*
  (bench/servers/rotation-baseline.ts): Fastify, a SHA-256 of a random token, on SQLite one
  transaction (find, conditional update of the session's generation, retire, insert), on
  PostgreSQL the same as one statement; an Ed25519 access token signed with \`node:crypto\`; no
  audit, grace window, reuse detection, recovery, CSRF or metrics. Baton runs with all of them
  (its standalone server), on the same database server, in alternating pairs.
- *better-auth*: \`better-auth\` (email and password, better-sqlite3, its Node handler),
  \`GET /api/auth/get-session\` with its session cookie, with and without its cookie cache
  (\`maxAge\` 300 s), in rounds with Baton's protected route and \`/me\`; each figure is
  compared with Baton's protected route of its own round.
- *two instances*: Baton on PostgreSQL + Redis, the same load (20 refresh clients, 20
  protected-route connections) on one instance or split over two. On this 2-core machine the
  second instance runs on core 1 beside the load generators, PostgreSQL and Redis.
- *during logins*: 40 logins/s (argon2id) against the same server while the protected route
  runs at a fixed 5,000 req/s; after an unmeasured warm-up, runs with and without logins
  alternate in adjacent pairs.
- *latency*: taken per response in microseconds by the load generator (autocannon's own
  histogram keeps whole milliseconds). At a fixed request rate, a late answer also counts for
  the requests it held up (coordinated omission), as autocannon corrects.
- *server CPU µs/req*: the server process's CPU time (user + system) during the run divided by
  the requests served. On a shared host, req/s and latency move with the neighbours; this
  figure moves much less (heavy steal still raises it a little: caches are shared), so it is
  the better one to compare between runs.
- *steal*: share of the server core's time the hypervisor gave to other guests during the run
  (from \`/proc/stat\`). Above a few percent, expect latency tails from the host, not from Baton.

![throughput](benchmarks/throughput.svg)

![latency](benchmarks/latency.svg)

## Memory

${memoryTable}

Measured on the built packages (\`npm run build\`) in plain Node (bench/servers/memory-server.mjs):
\`baton serve\`'s server on SQLite, the sessions created and each access token verified once, then
RSS read after a GC once it stops falling (V8 gives back the heap the burst of session creation
grew after a few idle seconds). The verified-token cache holds at most 25,000 tokens (≈ 0.9 KiB
each); hashing threads start with the first password hash.

## Targets

${targetTable}

## Where a target is missed, and what it would take

Profiles taken with \`node --cpu-prof\` on the bench servers while this bench's load ran (the host
was shared, so only shares of the server's busy time are quoted):

- **Express + Baton vs bare Express.** Express calls every \`app.use\` middleware for every
  request: Baton's (a \`find-my-way\` lookup of the path, then \`next()\`) and the guard together
  are 3–5 % of the server's busy time, the verified-token cache lookup under 1 %; garbage
  collection and Express's own router are the bulk, in both apps. On a shared host the pairs
  spread widely (0.76–1.10× in the development runs); Baton's own share of the busy time puts
  its cost nearer 0.95×. What would close the rest: mounting Baton's middleware at its base path
  (\`app.use("/api/auth", …)\`) so Express skips it for the app's other routes.
- **\`/me\` vs the protected route.** The whole pipeline of \`/me\` (rate-limit decision, CSRF check,
  auth, profile cache, metrics, headers) costs ≈ 4 µs in-process (a direct micro-benchmark of
  \`pipeline.handle\`); the rest of the gap is the Fastify side of Baton's own routes — the
  request's translation (\`protocol\`, \`host\`, \`ip\` getters), the reply's extra headers
  (\`cache-control\`, CORS), a bigger JSON body, and \`baton serve\`'s per-request child logger,
  which the guarded route shares. No database read happens on a cache hit. What it would take:
  a Fastify route for \`/me\` that skips the generic pipeline (its own thin handler), at the cost of
  a second path through the same rules.
- **Refresh vs the hand-written rotation.** On SQLite, executing the statements is ≈ 37 % of the
  server's busy time and signing the access token ≈ 12 % (the baseline signs too). Baton does
  more per refresh than the baseline, all of it on purpose: the lookup joins the user (roles and
  token version go into the access token), the audit row is written in the rotation's own
  transaction, each rotation runs in a savepoint of the group commit, and its tables carry the
  indexes that revocation, session listing and purging need; the HTTP side adds the CSRF check,
  schema validation, cookies and metrics. On PostgreSQL a rotation is now one statement, but a
  refresh is still two round trips (lookup, then rotation) against the baseline's one. What it
  would take: one statement per refresh on PostgreSQL (the lookup folded into the rotation, which
  needs the next token's hash computable in SQL or stored ahead of time), and audit rows written
  in batches after the commit (which gives up "an audit row exactly when the rotation commits").
`,
  );
  return machine.totalSeconds;
}

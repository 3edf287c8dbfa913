// The bench's results as tables, targets, charts and the generated docs/benchmarks.md.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, freemem, release, totalmem } from "node:os";
import { join } from "node:path";
import type { LoadResult } from "./harness/measure.js";
import { DURATION, PIN, RUNS, root } from "./harness/settings.js";
import type { LoginStreamResults } from "./scenarios/login-stream.js";
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

export function protectedRows(results: ProtectedRouteResults): Row[] {
  const { ceiling, reused, fresh, seed, me, meProtected } = results;
  const ofCeiling = (run: LoadResult) => ({
    value: run.requestsPerSecond / ceiling.requestsPerSecond,
    of: "ceiling",
  });
  return [
    { group: "protected", name: "Fastify, no auth (ceiling)", result: ceiling },
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
  for (const clients of REFRESH_CLIENTS) {
    rows.push({
      group: "refresh",
      name: `refresh, SQLite, ${clients} client${clients > 1 ? "s" : ""}`,
      result: sqlite[clients]!,
    });
    if (postgres) {
      rows.push({
        group: "refresh",
        name: `refresh, PostgreSQL, ${clients} client${clients > 1 ? "s" : ""}`,
        result: postgres[clients]!,
        ratio: {
          value: postgres[clients]!.requestsPerSecond / sqlite[clients]!.requestsPerSecond,
          of: "SQLite",
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

/** The performance targets Baton holds itself to, each with its measured value. */
export function targets(
  protectedResults: ProtectedRouteResults,
  sqliteRefresh: RefreshResults,
  logins: LoginStreamResults,
): Target[] {
  return [
    {
      target: "protected route with Baton auth ≥ 0.9× the no-auth ceiling (token reused)",
      measured:
        protectedResults.reused.requestsPerSecond / protectedResults.ceiling.requestsPerSecond,
      pass: (v: number) => v >= 0.9,
      unit: "×",
    },
    {
      target:
        "the same, from server CPU time per request (a CPU-bound server's capacity; host steal moves it much less)",
      measured:
        (protectedResults.ceiling.cpuUsPerRequest ?? Number.NaN) /
        (protectedResults.reused.cpuUsPerRequest ?? Number.NaN),
      pass: (v: number) => v >= 0.9,
      unit: "×",
    },
    {
      target: "protected route with Baton auth ≥ 10× the seed-style implementation (token reused)",
      measured: protectedResults.reused.requestsPerSecond / protectedResults.seed.requestsPerSecond,
      pass: (v: number) => v >= 10,
      unit: "×",
    },
    {
      target: "refresh p99 < 10 ms at 10 clients on SQLite",
      measured: sqliteRefresh[10]!.p99,
      pass: (v: number) => v < 10,
      unit: " ms",
    },
    {
      target: "protected-route p99 under a login stream ≤ 2× its p99 without",
      measured: logins.busy.p99 / logins.quiet.p99,
      pass: (v: number) => v <= 2,
      unit: "×",
    },
  ].map((t) => ({
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
    repetitions: `ceiling vs token reused, and protected route with vs without logins: ${2 * RUNS} adjacent pairs, the median-ratio pair is shown; refresh: ${RUNS} runs, the fastest is shown`,
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

- *ceiling*: the same Fastify route without the \`requireAuth\` preHandler.
- *seed-style*: Express + \`jsonwebtoken\` with a string secret + a user lookup by id on every
  request (SQLite), as the seed applications verify tokens; it re-verifies every request.
- *new token every request*: every request carries a token never seen before (cache misses, so
  an Ed25519 signature verification each time) — the worst case.
- *refresh*: each client owns a session and follows its rotation chain. The bench checks that
  every answer carried a new refresh token: a replayed token is answered too (the grace
  window), more cheaply, and would flatter the figures.
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

## Targets

${targetTable}
`,
  );
  return machine.totalSeconds;
}

// `npm run bench`: every scenario side by side in one run, on 127.0.0.1, bounded in time.
// Servers and the load generator run as separate processes; with `taskset` and 2+ cores the
// server is pinned to core 0 and the load generator to core 1 (BENCH_PIN=0 turns that off).
// Writes docs/benchmarks.md, docs/benchmarks/results.json and SVG charts.
//
// harness/: child processes, one measured run, repetition, users, a PostgreSQL schema per run;
// scenarios/: what is measured; report.ts: tables, targets, charts and the docs page.
import { join } from "node:path";
import { dropPostgresSchema, postgresUrl } from "./harness/postgres.js";
import { work } from "./harness/processes.js";
import { log } from "./harness/settings.js";
import { loginRows, protectedRows, refreshRows, targets, writeReport } from "./report.js";
import { loginStream } from "./scenarios/login-stream.js";
import { memory } from "./scenarios/memory.js";
import { protectedRoute } from "./scenarios/protected-route.js";
import { refreshScenario } from "./scenarios/refresh.js";
import { frameworkCeilings } from "./scenarios/frameworks.js";

const HELP = `Usage: npm run bench [-- --help]

Runs every scenario and writes docs/benchmarks.md, docs/benchmarks/results.json and the charts.
It loads the machine for several minutes: run it on a quiet host.

Environment:
  BENCH_DURATION      seconds per measured run (default 5)
  BENCH_RUNS          repetitions behind the targets (default 3)
  BENCH_PIN=0         do not pin the server and the load generator to cores 0 and 1
  BENCH_POSTGRES_URL  PostgreSQL for the refresh figures (default postgres://postgres@127.0.0.1:5432/test)
  BENCH_ONLY          protected | refresh | logins: one scenario, printed, nothing written
`;

if (process.argv.includes("--help")) {
  process.stdout.write(HELP);
  process.exit(0);
}

const started = Date.now();
if (process.env.BENCH_ONLY === "logins") {
  const { quiet, busy, logins, ratios } = await loginStream();
  log(
    `protected route p99 ${quiet.p99} ms without logins, ${busy.p99} ms during logins (median pair ${(busy.p99 / quiet.p99).toFixed(2)}×; all pairs ${ratios.map((r) => r.toFixed(2)).join(", ")}); ${Math.round(logins.requestsPerSecond)} logins/s, p99 ${logins.p99} ms`,
  );
  process.exit(0);
}
if (process.env.BENCH_ONLY === "frameworks") {
  for (const [framework, r] of Object.entries(await frameworkCeilings()))
    log(
      `${framework}: bare ${Math.round(r.bare.requestsPerSecond)} req/s ${r.bare.cpuUsPerRequest} µs CPU/req; Baton embedded ${Math.round(r.embedded.requestsPerSecond)} req/s ${r.embedded.cpuUsPerRequest} µs CPU/req; ${(r.embedded.requestsPerSecond / r.bare.requestsPerSecond).toFixed(2)}× by req/s (pairs ${r.ratios.map((x) => x.toFixed(2)).join(", ")}), ${(r.bare.cpuUsPerRequest! / r.embedded.cpuUsPerRequest!).toFixed(2)}× by CPU`,
    );
  process.exit(0);
}
const protectedResults = process.env.BENCH_ONLY === "refresh" ? undefined! : await protectedRoute();
if (process.env.BENCH_ONLY === "protected") {
  // Quick loop while working on the hot path: print the protected-route figures and stop.
  for (const row of protectedRows(protectedResults))
    log(
      `${row.name}: ${Math.round(row.result.requestsPerSecond)} req/s, p99 ${row.result.p99} ms, ${row.result.cpuUsPerRequest} µs CPU/req, steal ${row.result.stealPercent}%${row.ratio ? `, ${row.ratio.value.toFixed(2)}× ${row.ratio.of}` : ""}`,
    );
  process.exit(0);
}
const sqliteRefresh = await refreshScenario("sqlite", `sqlite:${join(work, "refresh.db")}`);
if (process.env.BENCH_ONLY === "refresh") {
  for (const [clients, result] of Object.entries(sqliteRefresh)) {
    log(
      `refresh, SQLite, ${clients} clients: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.cpuUsPerRequest} µs CPU/req, steal ${result.stealPercent}%`,
    );
  }
  process.exit(0);
}
const pgUrl = await postgresUrl();
const pgRefresh = pgUrl
  ? await refreshScenario("postgres", pgUrl).finally(() => dropPostgresSchema(pgUrl))
  : undefined;
const logins = await loginStream();
const rss = await memory();

const totalSeconds = writeReport({
  rows: [
    ...protectedRows(protectedResults),
    ...refreshRows(sqliteRefresh, pgRefresh),
    ...loginRows(logins),
  ],
  rss,
  targets: targets(protectedResults, sqliteRefresh, logins),
  started,
});
log(`bench finished in ${totalSeconds} s; wrote docs/benchmarks.md`);
process.exit(0);

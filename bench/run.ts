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
import {
  frameworkRows,
  instanceRows,
  loginRows,
  peerRows,
  protectedRows,
  refreshRows,
  targets,
  writeReport,
  type Row,
} from "./report.js";
import { loginStream } from "./scenarios/login-stream.js";
import { memory } from "./scenarios/memory.js";
import { protectedRoute } from "./scenarios/protected-route.js";
import { refreshScenario } from "./scenarios/refresh.js";
import { frameworkCeilings } from "./scenarios/frameworks.js";
import { peer } from "./scenarios/peer.js";
import { twoInstances } from "./scenarios/two-instances.js";

const HELP = `Usage: npm run bench [-- --help]

Runs every scenario and writes docs/benchmarks.md, docs/benchmarks/results.json and the charts.
It loads the machine for several minutes: run it on a quiet host.

Environment:
  BENCH_DURATION      seconds per measured run (default 5)
  BENCH_RUNS          repetitions behind the targets (default 3)
  BENCH_PIN=0         do not pin the server and the load generator to cores 0 and 1
  BENCH_POSTGRES_URL  PostgreSQL for the refresh and two-instance figures (default postgres://postgres@127.0.0.1:5432/test)
  BENCH_REDIS_URL     Redis for the two-instance figures (default redis://127.0.0.1:6379)
  BENCH_ONLY          frameworks | protected | refresh | peer | instances | logins | memory:
                      one scenario, printed, nothing written
`;

if (process.argv.includes("--help")) {
  process.stdout.write(HELP);
  process.exit(0);
}

const started = Date.now();
const only = process.env.BENCH_ONLY;

/** A quick variant: print one scenario's rows and stop, writing nothing. */
function printAndExit(rows: Row[]): never {
  for (const row of rows)
    log(
      `${row.name}: ${Math.round(row.result.requestsPerSecond)} req/s, p99 ${row.result.p99} ms, ${row.result.cpuUsPerRequest ?? "–"} µs CPU/req, steal ${row.result.stealPercent ?? "–"}%${row.ratio ? `, ${row.ratio.value.toFixed(2)}× ${row.ratio.of}` : ""}`,
    );
  process.exit(0);
}

/** PostgreSQL scenarios run in a schema of their own, dropped afterwards. */
async function withPostgres<T>(run: (url: string) => Promise<T>): Promise<T | undefined> {
  const url = await postgresUrl();
  return url === undefined ? undefined : run(url).finally(() => dropPostgresSchema(url));
}

const refreshBoth = async () => ({
  sqlite: await refreshScenario(
    "sqlite",
    `sqlite:${join(work, "refresh.db")}`,
    `sqlite:${join(work, "refresh-baseline.db")}`,
  ),
  postgres: await withPostgres((url) => refreshScenario("postgres", url, url)),
});

switch (only) {
  case "frameworks":
    printAndExit(frameworkRows(await frameworkCeilings()));
  // falls through: printAndExit never returns
  case "protected":
    printAndExit(protectedRows(await protectedRoute()));
  // falls through
  case "refresh": {
    const { sqlite, postgres } = await refreshBoth();
    printAndExit(refreshRows(sqlite, postgres));
  }
  // falls through
  case "peer":
    printAndExit(peerRows(await peer()));
  // falls through
  case "instances": {
    const instances = await withPostgres(twoInstances);
    printAndExit(instances ? instanceRows(instances) : []);
  }
  // falls through
  case "logins": {
    const { quiet, busy, logins, ratios } = await loginStream();
    log(`login stream: pairs ${ratios.map((r) => r.toFixed(2)).join(", ")}`);
    printAndExit(loginRows({ quiet, busy, logins, ratios }));
  }
  // falls through
  case "memory": {
    for (const [sessions, bytes] of Object.entries(await memory()))
      log(`${sessions} live sessions: ${(bytes / 2 ** 20).toFixed(0)} MiB RSS`);
    process.exit(0);
  }
  // falls through
  case undefined:
  case "":
    break;
  default:
    log(`BENCH_ONLY=${only}: no such scenario (see npm run bench -- --help)`);
    process.exit(2);
}

const frameworks = await frameworkCeilings();
const protectedResults = await protectedRoute();
const { sqlite: sqliteRefresh, postgres: pgRefresh } = await refreshBoth();
const peerResults = await peer();
const instances = await withPostgres(twoInstances);
const logins = await loginStream();
const rss = await memory();

const totalSeconds = writeReport({
  rows: [
    ...frameworkRows(frameworks),
    ...protectedRows(protectedResults),
    ...refreshRows(sqliteRefresh, pgRefresh),
    ...peerRows(peerResults),
    ...(instances ? instanceRows(instances) : []),
    ...loginRows(logins),
  ],
  rss,
  targets: targets({
    frameworks,
    protectedRoute: protectedResults,
    sqliteRefresh,
    pgRefresh,
    peer: peerResults,
    instances,
    logins,
    rss,
  }),
  started,
});
log(`bench finished in ${totalSeconds} s; wrote docs/benchmarks.md`);
process.exit(0);

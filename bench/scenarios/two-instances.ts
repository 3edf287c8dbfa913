// Two Baton instances sharing PostgreSQL and Redis against one: refreshes per second and
// protected requests per second, the same load split over both. On a 2-core machine the second
// instance gets core 1, which it shares with the load generator (and PostgreSQL and Redis share
// both): what this can show is that coordination (the shared database, the Redis bus and rate
// limiter) does not make a second instance a loss.
import { register } from "../harness/accounts.js";
import { load, type LoadResult } from "../harness/measure.js";
import { startTarget } from "../harness/processes.js";
import { log, REDIS_URL, RUNS } from "../harness/settings.js";

export interface InstanceResults {
  one: { refresh: LoadResult; protectedRoute: LoadResult };
  /** Summed over both instances (latency: the worse of the two). */
  two: { refresh: LoadResult; protectedRoute: LoadResult };
}

const REFRESH_CLIENTS = 20;
const PROTECTED_CONNECTIONS = 20;

function sum(runs: LoadResult[]): LoadResult {
  const total = runs.reduce((n, r) => n + r.total, 0);
  return {
    requestsPerSecond: runs.reduce((n, r) => n + r.requestsPerSecond, 0),
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    p999: Math.max(...runs.map((r) => r.p999)),
    total,
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    cpuUsPerRequest: Math.round(
      runs.reduce((n, r) => n + (r.cpuUsPerRequest ?? 0) * r.total, 0) / Math.max(total, 1),
    ),
  };
}

export async function twoInstances(databaseUrl: string): Promise<InstanceResults> {
  log("one instance vs two on PostgreSQL + Redis");
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: REDIS_URL };
  const a = await startTarget("baton-server.ts", env, [], 0);
  const b = await startTarget("baton-server.ts", env, [], 1);
  try {
    const [user] = await register(a.url, 1);
    const refresh = async (urls: string[]) => {
      const users = await register(urls[0]!, REFRESH_CLIENTS);
      const share = REFRESH_CLIENTS / urls.length;
      return sum(
        await Promise.all(
          urls.map((url, i) =>
            load({
              url: `${url}/api/auth/refresh`,
              connections: share,
              kind: "refresh-chains",
              refreshTokens: users.slice(i * share, (i + 1) * share).map((u) => u.refreshToken),
            }),
          ),
        ),
      );
    };
    const protectedRoute = async (urls: string[]) =>
      sum(
        await Promise.all(
          urls.map((url) =>
            load({
              url: `${url}/bench/protected`,
              connections: PROTECTED_CONNECTIONS / urls.length,
              kind: "get",
              token: user!.accessToken,
            }),
          ),
        ),
      );
    const runs: InstanceResults[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Alternating which goes first, as everywhere in the bench.
      const one = async () => ({
        refresh: await refresh([a.url]),
        protectedRoute: await protectedRoute([a.url]),
      });
      const two = async () => ({
        refresh: await refresh([a.url, b.url]),
        protectedRoute: await protectedRoute([a.url, b.url]),
      });
      if (run % 2 === 0) runs.push({ one: await one(), two: await two() });
      else {
        const second = await two();
        runs.push({ one: await one(), two: second });
      }
    }
    const ratio = (r: InstanceResults) =>
      r.two.refresh.requestsPerSecond / r.one.refresh.requestsPerSecond;
    return [...runs].sort((x, y) => ratio(x) - ratio(y))[Math.floor(runs.length / 2)]!;
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

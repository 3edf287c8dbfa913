// Refresh with rotation: each client owns a session and follows its rotation chain. Baton (every
// feature on: audit row, grace window, reuse detection, lost-answer recovery) against a minimal
// hand-written rotation (bench/servers/rotation-baseline.ts) on the same database, in
// alternating adjacent pairs.
import { register } from "../harness/accounts.js";
import { load, type LoadResult } from "../harness/measure.js";
import { startTarget } from "../harness/processes.js";
import { medianPair } from "../harness/repetition.js";
import { log } from "../harness/settings.js";

/** The client counts the refresh figures are measured at. */
export const REFRESH_CLIENTS = [1, 10, 100] as const;

export interface RefreshPair {
  baton: LoadResult;
  baseline: LoadResult;
  /** Baton's req/s over the baseline's, every pair (the median pair is the one kept). */
  ratios: number[];
}
export type RefreshResults = Record<number, RefreshPair>;

/** `databaseUrl` for Baton; `baselineUrl` for the hand-written rotation (same database server). */
export async function refreshScenario(
  store: "sqlite" | "postgres",
  databaseUrl: string,
  baselineUrl: string,
): Promise<RefreshResults> {
  log(`refresh with rotation on ${store}: Baton vs a hand-written rotation`);
  const baton = await startTarget("baton-server.ts", { DATABASE_URL: databaseUrl });
  const baseline = await startTarget("rotation-baseline.ts", { DATABASE_URL: baselineUrl });
  const run = async (target: { url: string }, clients: number, what: string) => {
    const users = await register(target.url, clients);
    const result = await load({
      url: `${target.url}/api/auth/refresh`,
      connections: clients,
      kind: "refresh-chains",
      refreshTokens: users.map((u) => u.refreshToken),
    });
    // A replayed token is answered too (Baton's grace window), more cheaply: only rotations count.
    if (result.non2xx > 0 || result.rotations !== result.total)
      throw new Error(
        `refresh run of ${what} on ${store}: ${result.rotations} rotations in ${result.total} requests (${result.non2xx} non-2xx)`,
      );
    return result;
  };
  const results: RefreshResults = {};
  try {
    for (const clients of REFRESH_CLIENTS) {
      const { a, b, ratios } = await medianPair(
        () => run(baseline, clients, "the baseline"),
        () => run(baton, clients, "Baton"),
        (baselineRun, batonRun) => batonRun.requestsPerSecond / baselineRun.requestsPerSecond,
      );
      results[clients] = { baseline: a, baton: b, ratios };
    }
  } finally {
    await baton.stop();
    await baseline.stop();
  }
  return results;
}

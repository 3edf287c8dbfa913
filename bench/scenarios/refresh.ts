// Refresh with rotation: each client owns a session and follows its rotation chain.
import { register } from "../harness/accounts.js";
import { load, type LoadResult } from "../harness/measure.js";
import { startTarget } from "../harness/processes.js";
import { leastDisturbed } from "../harness/repetition.js";
import { log, RUNS } from "../harness/settings.js";

/** The client counts the refresh figures are measured at. */
export const REFRESH_CLIENTS = [1, 10, 100] as const;

export type RefreshResults = Record<number, LoadResult>;

export async function refreshScenario(
  store: "sqlite" | "postgres",
  databaseUrl: string,
): Promise<RefreshResults> {
  log(`refresh with rotation on ${store}`);
  const results: RefreshResults = {};
  for (const clients of REFRESH_CLIENTS) {
    const runs: LoadResult[] = [];
    for (let run = 0; run < RUNS; run++) {
      const target = await startTarget("baton-server.ts", { DATABASE_URL: databaseUrl });
      const users = await register(target.url, clients);
      const run = await load({
        url: `${target.url}/api/auth/refresh`,
        connections: clients,
        kind: "refresh-chains",
        refreshTokens: users.map((u) => u.refreshToken),
      });
      // A replayed token is answered too (the grace window), more cheaply: only rotations count.
      if (run.non2xx > 0 || run.rotations !== run.total)
        throw new Error(
          `refresh run on ${store}: ${run.rotations} rotations in ${run.total} requests (${run.non2xx} non-2xx)`,
        );
      runs.push(run);
      await target.stop();
    }
    results[clients] = leastDisturbed(runs);
  }
  return results;
}

// Server memory with many live sessions, each token verified once (the verified-token cache).
import { join } from "node:path";
import { startTarget, work } from "../harness/processes.js";
import { log } from "../harness/settings.js";

/** Server RSS in bytes, by the number of live sessions. */
export async function memory(): Promise<Record<string, number>> {
  log("memory with live sessions");
  const rss: Record<string, number> = {};
  for (const sessions of [0, 10_000, 100_000]) {
    const target = await startTarget(
      "baton-server.ts",
      {
        DATABASE_URL: `sqlite:${join(work, `memory-${sessions}.db`)}`,
        BENCH_SESSIONS: String(sessions),
      },
      ["--expose-gc"],
    );
    rss[String(sessions)] = target.rss ?? target.baselineRss;
    await target.stop();
  }
  return rss;
}

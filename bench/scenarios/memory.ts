// Server memory idle and with many live sessions, each token verified once (the verified-token
// cache), measured on the built packages in plain Node (bench/servers/memory-server.mjs).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { startTarget, work } from "../harness/processes.js";
import { log, root } from "../harness/settings.js";

/** The session counts memory is measured at. */
export const MEMORY_SESSIONS = [0, 10_000, 100_000] as const;

/** Server RSS in bytes, by the number of live sessions. */
export async function memory(): Promise<Record<string, number>> {
  log("memory with live sessions (building the packages first)");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  const rss: Record<string, number> = {};
  for (const sessions of MEMORY_SESSIONS) {
    const target = await startTarget(
      "memory-server.mjs",
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

// One measured run: the load generator against a server, with the server's CPU time and the
// host's steal over the same interval.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { firstLine, node } from "./processes.js";
import { DURATION, PIN, root } from "./settings.js";

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  total: number;
  non2xx: number;
  errors: number;
  /** Refresh runs: responses that carried a new refresh token (each one a real rotation). */
  rotations?: number;
  /** Server CPU time (user + system) per request: unlike req/s, barely moved by a busy host. */
  cpuUsPerRequest?: number;
  /** Share of the server core's time the hypervisor gave to someone else during the run. */
  stealPercent?: number;
}

/** Runs bench/load.ts with `job` on the load generator's core. */
export async function load(job: { url: string } & Record<string, unknown>): Promise<LoadResult> {
  const cpu = async () =>
    (await fetch(new URL("/bench/cpu", job.url))).json() as Promise<{
      user: number;
      system: number;
    }>;
  const [cpuBefore, stealBefore] = [await cpu(), serverCoreSteal()];
  const result = await firstLine<LoadResult>(
    node(join(root, "bench/load.ts"), [JSON.stringify({ duration: DURATION, ...job })], {}, 1),
  );
  const [cpuAfter, stealAfter] = [await cpu(), serverCoreSteal()];
  const cpuUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  return {
    ...result,
    cpuUsPerRequest: Math.round(cpuUs / Math.max(result.total, 1)),
    stealPercent: Math.round(
      (100 * (stealAfter.steal - stealBefore.steal)) /
        Math.max(stealAfter.total - stealBefore.total, 1),
    ),
  };
}

/** Steal and total jiffies of the server's core (all cores when not pinned), from /proc/stat. */
function serverCoreSteal(): { steal: number; total: number } {
  const prefix = PIN ? "cpu0 " : "cpu ";
  const line = existsSync("/proc/stat")
    ? readFileSync("/proc/stat", "utf8")
        .split("\n")
        .find((l) => l.startsWith(prefix))
    : undefined;
  const fields = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  return { steal: fields[7] ?? 0, total: fields.reduce((sum, n) => sum + n, 0) };
}

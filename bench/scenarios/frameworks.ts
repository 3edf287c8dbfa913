// The protected route as a user embeds Baton (README: batonFastify / batonExpress and
// `requireAuth()` on an app route) against the same app without Baton (the ceiling), in Fastify
// and in Express. Both servers stay up; their runs alternate in adjacent pairs.
import { join } from "node:path";
import { register } from "../harness/accounts.js";
import { load, type LoadResult } from "../harness/measure.js";
import { startTarget, work } from "../harness/processes.js";
import { medianPair } from "../harness/repetition.js";
import { log } from "../harness/settings.js";

export const FRAMEWORKS = ["fastify", "express"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface FrameworkResults {
  bare: LoadResult;
  embedded: LoadResult;
  /** Embedded over bare, req/s, of every pair (the median pair is the one shown). */
  ratios: number[];
}

export async function frameworkCeilings(): Promise<Record<Framework, FrameworkResults>> {
  const results = {} as Record<Framework, FrameworkResults>;
  for (const framework of FRAMEWORKS) {
    log(`protected route in ${framework}: bare app vs Baton embedded`);
    const bare = await startTarget("framework-app.ts", { BENCH_FRAMEWORK: framework });
    const embedded = await startTarget("framework-app.ts", {
      BENCH_FRAMEWORK: framework,
      BENCH_BATON: "1",
      DATABASE_URL: `sqlite:${join(work, `embedded-${framework}.db`)}`,
    });
    const [user] = await register(embedded.url, 1);
    const job = (url: string) => ({
      url: `${url}/api/notes`,
      connections: 10,
      kind: "get",
      token: user!.accessToken,
    });
    // Unmeasured warm-up of both (JIT), then the pairs.
    await load({ ...job(bare.url), duration: 1 });
    await load({ ...job(embedded.url), duration: 1 });
    const { a, b, ratios } = await medianPair(
      () => load(job(bare.url)),
      () => load(job(embedded.url)),
      (bareRun, embeddedRun) => embeddedRun.requestsPerSecond / bareRun.requestsPerSecond,
    );
    results[framework] = { bare: a, embedded: b, ratios };
    await bare.stop();
    await embedded.stop();
  }
  return results;
}

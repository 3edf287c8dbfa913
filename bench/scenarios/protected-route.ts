// A protected route: Baton's requireAuth against the same route without auth (the ceiling) and
// against a seed-style Express + jsonwebtoken implementation.
import { join } from "node:path";
import { register } from "../harness/accounts.js";
import { load, type LoadResult } from "../harness/measure.js";
import { startTarget, work } from "../harness/processes.js";
import { medianPair } from "../harness/repetition.js";
import { DURATION, log } from "../harness/settings.js";

export interface ProtectedRouteResults {
  ceiling: LoadResult;
  reused: LoadResult;
  fresh: LoadResult;
  seed: LoadResult;
  /** GET /api/auth/me with the reused token, and the protected route of its pair. */
  me: LoadResult;
  meProtected: LoadResult;
  meRatios: number[];
}

export async function protectedRoute(): Promise<ProtectedRouteResults> {
  log("protected route: Baton vs no-auth ceiling vs seed-style Express");
  const tokensNeeded = String(Math.max(50_000, DURATION * 15_000));
  const batonTokens = join(work, "baton-tokens.txt");
  const baton = await startTarget("baton-server.ts", {
    DATABASE_URL: `sqlite:${join(work, "protected.db")}`,
    BENCH_TOKENS: tokensNeeded,
    TOKENS_FILE: batonTokens,
  });
  const [user] = await register(baton.url, 1);
  const ceilingJob = {
    url: `${baton.url}/bench/open`,
    connections: 10,
    kind: "get",
    token: user!.accessToken,
  };
  const reusedJob = { ...ceilingJob, url: `${baton.url}/bench/protected` };
  const { a: ceiling, b: reused } = await medianPair(
    () => load(ceilingJob),
    () => load(reusedJob),
    (ceilingRun, reusedRun) => reusedRun.requestsPerSecond / ceilingRun.requestsPerSecond,
  );
  // /me against the protected route, in pairs of their own: what a single-page app calls on
  // every page load (answered from the profile cache, no database read).
  const meJob = { ...ceilingJob, url: `${baton.url}/api/auth/me` };
  const {
    a: meProtected,
    b: me,
    ratios: meRatios,
  } = await medianPair(
    () => load(reusedJob),
    () => load(meJob),
    (protectedRun, meRun) => meRun.requestsPerSecond / protectedRun.requestsPerSecond,
  );
  const fresh = await load({
    url: `${baton.url}/bench/protected`,
    connections: 10,
    kind: "get-rotating-tokens",
    tokensFile: batonTokens,
  });
  await baton.stop();

  const seedTokens = join(work, "seed-tokens.txt");
  const seed = await startTarget("seed-style-server.ts", {
    BENCH_TOKENS: tokensNeeded,
    TOKENS_FILE: seedTokens,
    SEED_DB: join(work, "seed.db"),
  });
  const seedReused = await load({
    url: `${seed.url}/bench/protected`,
    connections: 10,
    kind: "get-rotating-tokens",
    tokensFile: seedTokens,
  });
  const seedFresh = seedReused; // jsonwebtoken has no cache: every request verifies, reused or not
  await seed.stop();
  return { ceiling, reused, fresh, seed: seedFresh, me, meProtected, meRatios };
}

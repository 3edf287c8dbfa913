// A peer in the same run: better-auth's `GET /api/auth/get-session` (SQLite; with and without its
// cookie cache) next to Baton's protected route and `/me` (standalone server, SQLite). Every round
// runs all four, in an order that rotates between rounds; each figure is compared with Baton's
// protected route of its own round, and the round with the median ratio is shown.
import { join } from "node:path";
import { register } from "../harness/accounts.js";
import { load, type LoadResult } from "../harness/measure.js";
import { startTarget, work } from "../harness/processes.js";
import { log, RUNS } from "../harness/settings.js";

export interface PeerResults {
  batonProtected: LoadResult;
  batonMe: LoadResult;
  betterAuth: LoadResult;
  betterAuthCookieCache: LoadResult;
  /** Baton's protected route over better-auth's get-session, each round, by variant. */
  ratios: { betterAuth: number[]; betterAuthCookieCache: number[] };
}

async function signUp(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({
      email: `peer-${Date.now()}@example.com`,
      password: "correct horse battery",
      name: "Peer",
    }),
  });
  if (!response.ok) throw new Error(`better-auth sign-up: ${response.status}`);
  // Every cookie it set (session token, and the cache's session data when enabled).
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

export async function peer(): Promise<PeerResults> {
  log("peer: better-auth get-session vs Baton's protected route and /me");
  const baton = await startTarget("baton-server.ts", {
    DATABASE_URL: `sqlite:${join(work, "peer-baton.db")}`,
  });
  const plain = await startTarget("better-auth-server.ts", {
    BETTER_AUTH_DB: join(work, "peer-better-auth.db"),
  });
  const cached = await startTarget("better-auth-server.ts", {
    BETTER_AUTH_DB: join(work, "peer-better-auth-cache.db"),
    BENCH_COOKIE_CACHE: "1",
  });
  try {
    const [user] = await register(baton.url, 1);
    const get = (url: string, extra: Record<string, unknown>) => () =>
      load({ url, connections: 10, kind: "get", ...extra });
    const jobs = {
      batonProtected: get(`${baton.url}/bench/protected`, { token: user!.accessToken }),
      batonMe: get(`${baton.url}/api/auth/me`, { token: user!.accessToken }),
      betterAuth: get(`${plain.url}/api/auth/get-session`, {
        headers: { cookie: await signUp(plain.url) },
      }),
      betterAuthCookieCache: get(`${cached.url}/api/auth/get-session`, {
        headers: { cookie: await signUp(cached.url) },
      }),
    };
    type Name = keyof typeof jobs;
    const names = Object.keys(jobs) as Name[];
    for (const name of names) await jobs[name](); // unmeasured warm-up (JIT)
    const rounds: Record<Name, LoadResult>[] = [];
    for (let round = 0; round < RUNS; round++) {
      const results = {} as Record<Name, LoadResult>;
      const order = names.map((_, i) => names[(i + round) % names.length]!);
      for (const name of order) results[name] = await jobs[name]();
      rounds.push(results);
    }
    const ratiosOf = (name: Name) =>
      rounds.map((r) => r.batonProtected.requestsPerSecond / r[name].requestsPerSecond);
    const median = (name: Name) => {
      const ratios = ratiosOf(name);
      const sorted = [...ratios].sort((a, b) => a - b);
      return rounds[ratios.indexOf(sorted[Math.floor(sorted.length / 2)]!)]!;
    };
    const plainRound = median("betterAuth");
    const cachedRound = median("betterAuthCookieCache");
    return {
      batonProtected: plainRound.batonProtected,
      batonMe: plainRound.batonMe,
      betterAuth: plainRound.betterAuth,
      betterAuthCookieCache: cachedRound.betterAuthCookieCache,
      ratios: {
        betterAuth: ratiosOf("betterAuth"),
        betterAuthCookieCache: ratiosOf("betterAuthCookieCache"),
      },
    };
  } finally {
    await Promise.all([baton.stop(), plain.stop(), cached.stop()]);
  }
}

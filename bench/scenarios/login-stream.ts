// The protected route's p99 with and without a stream of logins (argon2id) on the same server.
import { join } from "node:path";
import { BENCH_PASSWORD, register } from "../harness/accounts.js";
import { load, type LoadResult } from "../harness/measure.js";
import { startTarget, work } from "../harness/processes.js";
import { medianPair } from "../harness/repetition.js";
import { log } from "../harness/settings.js";

export interface LoginStreamResults {
  quiet: LoadResult;
  busy: LoadResult;
  logins: LoadResult;
  ratios: number[];
}

export async function loginStream(): Promise<LoginStreamResults> {
  log("protected route p99 with and without a stream of logins");
  const target = await startTarget("baton-server.ts", {
    DATABASE_URL: `sqlite:${join(work, "login.db")}`,
  });
  const [user] = await register(target.url, 1);
  const protectedJob = {
    url: `${target.url}/bench/protected`,
    connections: 10,
    kind: "get",
    token: user!.accessToken,
    overallRate: 5000,
  };
  const quietRun = () => load(protectedJob);
  const busyRun = () =>
    Promise.all([
      load(protectedJob),
      load({
        url: `${target.url}/api/auth/login`,
        connections: 4,
        kind: "login",
        login: { email: user!.email, password: BENCH_PASSWORD },
        overallRate: 40,
      }),
    ]);
  // Unmeasured warm-up, so that JIT compilation does not land in the first quiet run's tail.
  await busyRun();
  const {
    a: quiet,
    b: [busy, logins],
    ratios,
  } = await medianPair(quietRun, busyRun, (quiet, [busy]) => busy.p99 / quiet.p99);
  await target.stop();
  // Both streams ran on the one server: its CPU time cannot be split between them.
  delete busy.cpuUsPerRequest;
  delete logins.cpuUsPerRequest;
  return { quiet, busy, logins, ratios };
}

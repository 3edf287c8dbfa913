// Memory target: the built packages (dist/, as an application runs them), in plain Node: the
// TypeScript loader the other bench servers run under would add its own ≈ 45 MiB to the figure.
// Starts `baton serve`'s server, then BENCH_SESSIONS live sessions whose access tokens are each
// verified once (what fills the verified-token cache), and prints {url, rss, heapUsed, ...}.
// Run with --expose-gc; `npm run build` first (bench/run.ts does).
import { startServer } from "../../packages/server/dist/index.js";
import { coreOf } from "../../packages/server/dist/baton-internals.js";
import { startSession } from "../../packages/server/dist/sessions/issue-tokens.js";

const server = await startServer({
  port: 0,
  host: "127.0.0.1",
  databaseUrl: process.env.DATABASE_URL,
  secret: process.env.BENCH_SECRET,
  logLevel: "warn",
});
const sessions = Number(process.env.BENCH_SESSIONS ?? 0);
if (sessions > 0) {
  const core = coreOf(server.baton);
  const user = await core.store.createUser({
    id: "bench-user",
    email: "bench@example.com",
    name: null,
    passwordHash: "$argon2id$unused",
    roles: ["user"],
    createdAt: Date.now(),
  });
  const meta = { ip: "127.0.0.1", userAgent: "bench" };
  for (let i = 0; i < sessions; i++) {
    const issued = await startSession(core, user, meta);
    await server.baton.authenticate(`Bearer ${issued.accessToken}`);
  }
}
// Measured once the instance has been idle long enough for V8 to give back the heap the burst of
// session creation grew (its memory reducer runs after a few idle seconds): a running server
// spreads that work over time. RSS is read every 2 s until it stops falling (at most 30 s).
let previous = Infinity;
for (let waited = 0; waited < 30_000; waited += 2000) {
  global.gc?.();
  const now = process.memoryUsage().rss;
  if (now > previous - 2 * 2 ** 20 && waited >= 10_000) break;
  previous = Math.min(previous, now);
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
global.gc?.();
const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({ url: server.url, rss, heapUsed, heapTotal, external })}\n`,
);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));

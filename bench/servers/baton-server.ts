// Benchmark target: Baton on Fastify, with the protected route and the same route without auth.
// Prints one JSON line {url, ...} on stdout when ready. Environment:
//   DATABASE_URL     store (default: a fresh SQLite file)
//   REDIS_URL        Redis shared by instances (two-instance figures)
//   BENCH_TOKENS     mint this many distinct access tokens for one session into TOKENS_FILE
import { writeFileSync } from "node:fs";
import { startServer } from "@baton/server";
import { coreOf } from "../../packages/server/src/baton-internals.js";
import { startSession } from "../../packages/server/src/sessions/issue-tokens.js";

const server = await startServer({
  port: 0,
  host: "127.0.0.1",
  databaseUrl: process.env.DATABASE_URL,
  redisUrl: process.env.REDIS_URL,
  secret: process.env.BENCH_SECRET,
  logLevel: "warn",
  authRateLimit: 0,
  // One session calls /me tens of thousands of times a second here: its budget would stop it.
  sessionRateLimit: 0,
  loginMaxFailures: 1000,
  configure(app, baton) {
    app.get("/bench/protected", { preHandler: baton.requireAuth() }, (request) => ({
      ok: true,
      user: request.auth!.userId,
    }));
    // The same body as the protected route (a user id is a 36-character UUID): only auth differs.
    app.get("/bench/open", () => ({ ok: true, user: "00000000-0000-4000-8000-000000000000" }));
    // Read by the bench before and after each run: the server's CPU time.
    app.get("/bench/cpu", () => process.cpuUsage());
  },
});
const core = coreOf(server.baton);

const report: Record<string, unknown> = { url: server.url };
const tokens = Number(process.env.BENCH_TOKENS ?? 0);
if (tokens > 0) {
  const user = await core.store.createUser({
    id: "bench-user",
    email: "bench@example.com",
    name: null,
    passwordHash: "$argon2id$unused",
    roles: ["user"],
    createdAt: Date.now(),
  });
  const session = await startSession(core, user!, { ip: "127.0.0.1", userAgent: "bench" });
  const minted: string[] = [];
  for (let i = 0; i < tokens; i++)
    minted.push(
      core.accessTokens.sign({
        sub: user!.id,
        sid: session.sessionId,
        roles: ["user"],
        ver: 0,
        emailVerified: false,
      }).token,
    );
  writeFileSync(process.env.TOKENS_FILE!, minted.join("\n"));
}
report.baselineRss = process.memoryUsage().rss;
process.stdout.write(`${JSON.stringify(report)}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));

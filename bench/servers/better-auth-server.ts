// Peer target: better-auth (email and password, SQLite through better-sqlite3, its own Node
// handler), for its `GET /api/auth/get-session` — what an authenticated request costs there.
// BENCH_COOKIE_CACHE=1 turns on its session cookie cache (the session is read from a signed
// cookie for `maxAge` instead of the database). Prints {url} when ready.
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";

const database = new Database(process.env.BETTER_AUTH_DB ?? ":memory:");
database.pragma("journal_mode = WAL");
const server = createServer();
server.listen(0, "127.0.0.1");
await once(server, "listening");
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const auth = betterAuth({
  database,
  baseURL: url,
  secret: process.env.BENCH_SECRET,
  emailAndPassword: { enabled: true },
  // The bench signs up its user from one address; get-session is not rate limited anyway.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  session: { cookieCache: { enabled: process.env.BENCH_COOKIE_CACHE === "1", maxAge: 300 } },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
const handler = toNodeHandler(auth);
server.on("request", (request, response) => {
  if (request.url === "/bench/cpu") {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(process.cpuUsage()));
    return;
  }
  void handler(request, response);
});
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on("SIGTERM", () => process.exit(0));

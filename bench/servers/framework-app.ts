// Benchmark target: an app as a user writes it, in Fastify or Express (BENCH_FRAMEWORK), either
// bare (no Baton loaded at all: the ceiling) or with Baton embedded as the README shows
// (BENCH_BATON=1: batonFastify / batonExpress, and `requireAuth()` on the app's own route).
// Both answer GET /api/notes with the same JSON (a user id is a 36-character UUID). Prints one
// JSON line {url} when ready; /bench/cpu reports the process's CPU time.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";

const framework = process.env.BENCH_FRAMEWORK ?? "fastify";
const withBaton = process.env.BENCH_BATON === "1";
const FIXED_USER = "00000000-0000-4000-8000-000000000000";

async function embeddedBaton() {
  const { createBaton } = await import("@baton/server");
  return createBaton({
    databaseUrl: process.env.DATABASE_URL,
    secret: process.env.BENCH_SECRET,
    logLevel: "warn",
    // The bench registers its users through the API from one address.
    authRateLimit: 0,
    sessionRateLimit: 0,
  });
}

let url: string;
if (framework === "fastify") {
  const app = Fastify();
  app.get("/bench/cpu", () => process.cpuUsage());
  if (withBaton) {
    const baton = await embeddedBaton();
    const { batonFastify } = await import("@baton/server/fastify");
    await app.register(batonFastify(baton));
    app.get("/api/notes", { preHandler: baton.requireAuth() }, (request) => ({
      ok: true,
      user: request.auth!.userId,
    }));
  } else {
    app.get("/api/notes", () => ({ ok: true, user: FIXED_USER }));
  }
  url = await app.listen({ port: 0, host: "127.0.0.1" });
} else {
  const app = express();
  app.get("/bench/cpu", (_request, response) => void response.json(process.cpuUsage()));
  if (withBaton) {
    const baton = await embeddedBaton();
    const { batonExpress } = await import("@baton/server/express");
    app.use(batonExpress(baton));
    app.get("/api/notes", baton.requireAuth(), (request, response) => {
      response.json({ ok: true, user: request.auth!.userId });
    });
  } else {
    app.get("/api/notes", (_request, response) => {
      response.json({ ok: true, user: FIXED_USER });
    });
  }
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
process.stdout.write(`${JSON.stringify({ url, baselineRss: process.memoryUsage().rss })}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));

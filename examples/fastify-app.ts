// Baton inside an existing Fastify app. Run: npx tsx examples/fastify-app.ts
import Fastify from "fastify";
import { createBaton } from "@baton/server";
import { batonFastify } from "@baton/server/fastify";

const baton = await createBaton({
  databaseUrl: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
});
const app = Fastify();

// /api/auth/* (register, login, refresh, logout, sessions, ...), /.well-known/jwks.json, /healthz
await app.register(batonFastify(baton));

// Your own routes, protected by Baton: request.auth = { userId, sessionId, roles }
app.get("/api/notes", { preHandler: baton.requireAuth() }, (request) => ({
  owner: request.auth!.userId,
  notes: [],
}));
app.get("/api/reports", { preHandler: baton.requireRole("admin") }, () => ({ reports: [] }));

app.addHook("onClose", () => baton.close());
await app.listen({ port: Number(process.env.PORT ?? 3000), host: "127.0.0.1" });
console.log("listening");

// A Fastify 5 app that installed @baton/server from its tarball.
import Fastify from "fastify";
import { createBaton } from "@baton/server";
import { batonFastify } from "@baton/server/fastify";

const baton = await createBaton({
  databaseUrl: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
  logger: false,
});
const app = Fastify();
await app.register(batonFastify(baton));
app.get("/api/notes", { preHandler: baton.requireAuth() }, (request) => ({
  owner: request.auth!.userId,
  notes: [],
}));
app.addHook("onClose", () => baton.close());
await app.listen({ port: 0, host: "127.0.0.1" });
const address = app.server.address();
console.log(typeof address === "object" && address !== null ? address.port : address);
process.once("SIGTERM", () => void app.close());

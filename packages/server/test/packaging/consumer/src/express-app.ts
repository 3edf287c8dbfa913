// An Express 5 app that installed @baton/server from its tarball.
import express from "express";
import { createBaton } from "@baton/server";
import { batonExpress } from "@baton/server/express";

const baton = await createBaton({
  databaseUrl: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
  logger: false,
});
const app = express();
app.use(batonExpress(baton));
app.get("/api/notes", baton.requireAuth(), (req, res) => {
  res.json({ owner: req.auth!.userId, notes: [] });
});

const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(typeof address === "object" && address !== null ? address.port : address);
});
process.once("SIGTERM", () => server.close(() => void baton.close()));

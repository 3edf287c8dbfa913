// Baton inside an existing Express app. Run: npx tsx examples/express-app.ts
import express from "express";
import { createBaton } from "@baton/server";
import { batonExpress } from "@baton/server/express";

const baton = await createBaton({
  databaseUrl: process.env.DATABASE_URL ?? "sqlite:./data/app.db",
});
const app = express();

// /api/auth/* (register, login, refresh, logout, sessions, ...), /.well-known/jwks.json, /healthz
app.use(batonExpress(baton));

// Your own routes, protected by Baton: req.auth = { userId, sessionId, roles }
app.get("/api/notes", baton.requireAuth(), (req, res) => {
  res.json({ owner: req.auth!.userId, notes: [] });
});
app.get("/api/reports", baton.requireRole("admin"), (_req, res) => {
  res.json({ reports: [] });
});

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () =>
  console.log("listening"),
);
process.once("SIGTERM", () => server.close(() => void baton.close()));

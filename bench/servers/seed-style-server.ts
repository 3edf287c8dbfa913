// Benchmark baseline: the seeds' approach, faithfully. Express, jsonwebtoken with a string
// secret, and a user lookup by id on every request (seed 000's verifyToken: jwt.verify, then
// User.findById), on SQLite. Prints {url} when ready; BENCH_TOKENS mints tokens into TOKENS_FILE.
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import express from "express";
import jwt from "jsonwebtoken";

const SECRET = "your-super-secret-jwt-key-change-this";
const db = new Database(process.env.SEED_DB ?? ":memory:");
db.pragma("journal_mode = WAL");
db.exec(
  "create table if not exists users (id text primary key, full_name text, email text, password text)",
);
db.prepare("insert or replace into users values (?, ?, ?, ?)").run(
  "u1",
  "Bench User",
  "bench@example.com",
  "$2b$10$unused",
);
const findById = db.prepare("select id, full_name, email from users where id = ?");

const app = express();
app.use(express.json());
app.get("/bench/protected", (req, res) => {
  try {
    const token = req.headers.authorization?.split(" ")[1];
    if (!token) return void res.status(401).json({ message: "Access Token required" });
    const decoded = jwt.verify(token, SECRET) as { id: string };
    const user = findById.get(decoded.id);
    if (!user) return void res.status(401).json({ message: "User not found" });
    res.json({ ok: true, user: (user as { id: string }).id });
  } catch {
    res.status(401).json({ message: "Invalid token" });
  }
});

app.get("/bench/cpu", (_req, res) => void res.json(process.cpuUsage()));

const tokens = Number(process.env.BENCH_TOKENS ?? 0);
if (tokens > 0) {
  const minted: string[] = [];
  for (let i = 0; i < tokens; i++)
    minted.push(jwt.sign({ id: "u1", n: i }, SECRET, { expiresIn: "15m" }));
  writeFileSync(process.env.TOKENS_FILE!, minted.join("\n"));
}
const server = app.listen(0, "127.0.0.1");
await once(server, "listening");
process.stdout.write(
  `${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`,
);
process.on("SIGTERM", () => server.close(() => process.exit(0)));

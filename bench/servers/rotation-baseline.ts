// Benchmark baseline for refresh: a minimal correct rotation written by hand, on the same
// database as Baton's figures, behind the same framework (Fastify) and JSON shapes, so the load
// generator drives both alike. No audit, grace window, reuse detection, recovery, CSRF or rate
// limit: what it does is the least a rotating refresh token needs.
// - a refresh token is 32 random bytes; only its SHA-256 is stored;
// - SQLite (WAL, synchronous=NORMAL, as Baton): find the token and its session, then in one
//   transaction a conditional UPDATE of the session's generation (of racers exactly one wins),
//   retire the presented token, insert its successor;
// - PostgreSQL: the same as one statement (data-modifying CTEs), one round trip;
// - an Ed25519 access token signed with node:crypto.
// DATABASE_URL: sqlite:<file> or postgres://… Prints {url} when ready.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import Database from "better-sqlite3";
import Fastify from "fastify";
import pg from "pg";

const databaseUrl = process.env.DATABASE_URL ?? "sqlite::memory:";
const { privateKey } = generateKeyPairSync("ed25519");
const header = Buffer.from(JSON.stringify({ alg: "EdDSA", typ: "at+jwt" })).toString("base64url");

function accessToken(userId: string, sessionId: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(
    JSON.stringify({ sub: userId, sid: sessionId, iat, exp: iat + 900, jti: randomUUID() }),
  ).toString("base64url");
  const input = `${header}.${payload}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString("base64url")}`;
}
const hashOf = (token: string) => createHash("sha256").update(token).digest("base64url");
const newToken = () => randomBytes(32).toString("base64url");

interface Rotated {
  userId: string;
  sessionId: string;
}
interface BaselineStore {
  /** A new session with its first token. */
  start(userId: string, tokenHash: string): Promise<string>;
  /** Rotates the token with hash `presented` to `next`; undefined when it is not current. */
  rotate(presented: string, next: string): Promise<Rotated | undefined>;
}

function sqliteStore(file: string): BaselineStore {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`
    create table if not exists baseline_sessions (id text primary key, user_id text not null, generation integer not null);
    create table if not exists baseline_tokens (hash text primary key, session_id text not null, generation integer not null, retired integer not null default 0);`);
  const find = db.prepare<[string], { session_id: string; user_id: string; generation: number }>(
    `select t.session_id, s.user_id, t.generation from baseline_tokens t
       join baseline_sessions s on s.id = t.session_id
      where t.hash = ? and t.retired = 0 and s.generation = t.generation`,
  );
  const advance = db.prepare(
    "update baseline_sessions set generation = generation + 1 where id = ? and generation = ?",
  );
  const retire = db.prepare("update baseline_tokens set retired = 1 where hash = ?");
  const insert = db.prepare(
    "insert into baseline_tokens (hash, session_id, generation) values (?, ?, ?)",
  );
  const insertSession = db.prepare(
    "insert into baseline_sessions (id, user_id, generation) values (?, ?, 0)",
  );
  const rotate = db.transaction((presented: string, next: string): Rotated | undefined => {
    const current = find.get(presented);
    if (current === undefined) return undefined;
    if (advance.run(current.session_id, current.generation).changes !== 1) return undefined;
    retire.run(presented);
    insert.run(next, current.session_id, current.generation + 1);
    return { userId: current.user_id, sessionId: current.session_id };
  });
  return {
    start(userId, tokenHash) {
      const id = randomUUID();
      db.transaction(() => {
        insertSession.run(id, userId);
        insert.run(tokenHash, id, 0);
      })();
      return Promise.resolve(id);
    },
    rotate: (presented, next) => Promise.resolve(rotate.immediate(presented, next)),
  };
}

async function postgresStore(url: string): Promise<BaselineStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(`
    create table if not exists baseline_sessions (id text primary key, user_id text not null, generation integer not null);
    create table if not exists baseline_tokens (hash text primary key, session_id text not null, generation integer not null, retired boolean not null default false);`);
  const ROTATE = `
    with current_token as (
      select session_id, generation from baseline_tokens where hash = $1 and not retired
    ), advanced as (
      update baseline_sessions s set generation = s.generation + 1
        from current_token c
       where s.id = c.session_id and s.generation = c.generation
      returning s.id, s.user_id, s.generation
    ), retired as (
      update baseline_tokens set retired = true
       where hash = $1 and exists (select 1 from advanced)
    ), successor as (
      insert into baseline_tokens (hash, session_id, generation)
      select $2, id, generation from advanced
    )
    select id, user_id from advanced`;
  return {
    async start(userId, tokenHash) {
      const id = randomUUID();
      await pool.query(
        `with s as (insert into baseline_sessions (id, user_id, generation) values ($1, $2, 0))
         insert into baseline_tokens (hash, session_id, generation) values ($3, $1, 0)`,
        [id, userId, tokenHash],
      );
      return id;
    },
    async rotate(presented, next) {
      const { rows } = await pool.query<{ id: string; user_id: string }>(ROTATE, [presented, next]);
      return rows[0] && { userId: rows[0].user_id, sessionId: rows[0].id };
    },
  };
}

const store = databaseUrl.startsWith("postgres")
  ? await postgresStore(databaseUrl)
  : sqliteStore(databaseUrl.replace(/^sqlite:/, ""));

const app = Fastify();
app.get("/bench/cpu", () => process.cpuUsage());
// The bench's user set-up (no password hashing: it is not measured).
app.post("/api/auth/register", async () => {
  const userId = randomUUID();
  const refreshToken = newToken();
  const sessionId = await store.start(userId, hashOf(refreshToken));
  return { accessToken: accessToken(userId, sessionId), refreshToken };
});
app.post<{ Body: { refreshToken?: unknown } }>("/api/auth/refresh", async (request, reply) => {
  const presented = request.body?.refreshToken;
  if (typeof presented !== "string" || presented.length > 100)
    return reply.code(400).send({ error: "invalid_request" });
  const refreshToken = newToken();
  const rotated = await store.rotate(hashOf(presented), hashOf(refreshToken));
  if (rotated === undefined) return reply.code(401).send({ error: "invalid_grant" });
  return { accessToken: accessToken(rotated.userId, rotated.sessionId), refreshToken };
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on("SIGTERM", () => process.exit(0));

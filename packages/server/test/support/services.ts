import pg from "pg";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";

export const POSTGRES_URL =
  process.env.BATON_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.BATON_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether a real service answers. In CI a missing service is a failure (the suite must not pass
 * by skipping); on a developer machine the suite is skipped with the reason printed.
 */
export async function serviceAvailable(name: string, probe: () => Promise<void>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    const reason = `${name} is not reachable (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.CI)
      throw new Error(`${reason}: CI must run these tests against the real service`);
    console.warn(`Skipping ${name} tests: ${reason}`);
    return false;
  }
}

export async function probePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  await client.end();
}

/** A fresh, empty schema: a database URL whose connections use it. Drop it with `dropSchema`. */
export async function freshPostgresSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `baton_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

export async function probeRedis(): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

const run = (command: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, _stdout, stderr) =>
      error
        ? reject(new Error(`${command} ${args.join(" ")}: ${stderr || error.message}`))
        : resolve(),
    );
  });

/** Stops and starts this machine's PostgreSQL cluster (needs root, as in CI). */
export const postgresControl = {
  async version(): Promise<string> {
    const [version] = await readdir("/etc/postgresql");
    if (version === undefined) throw new Error("no PostgreSQL cluster in /etc/postgresql");
    return version;
  },
  async stop(): Promise<void> {
    await run("pg_ctlcluster", [
      "--skip-systemctl-redirect",
      await this.version(),
      "main",
      "stop",
      "-m",
      "fast",
    ]);
  },
  async start(): Promise<void> {
    await run("pg_ctlcluster", [
      "--skip-systemctl-redirect",
      await this.version(),
      "main",
      "start",
    ]);
  },
};

/** The port of BATON_TEST_REDIS_URL: a Redis of one's own on another port can be the one stopped. */
const REDIS_PORT = new URL(REDIS_URL).port || "6379";

/** Stops and starts this machine's Redis (as the workplace starts it). */
export const redisControl = {
  async stop(): Promise<void> {
    await run("redis-cli", ["-h", "127.0.0.1", "-p", REDIS_PORT, "shutdown", "nosave"]).catch(
      () => undefined,
    );
  },
  async start(): Promise<void> {
    await run("redis-server", [
      "--daemonize",
      "yes",
      "--bind",
      "127.0.0.1",
      "--port",
      REDIS_PORT,
      "--save",
      "",
      "--appendonly",
      "no",
    ]);
  },
};

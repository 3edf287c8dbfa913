// A throw-away schema per run, so the PostgreSQL figures start from an empty database.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { log, POSTGRES_URL } from "./settings.js";

/** A URL into a new schema, or undefined (and a note) when PostgreSQL is not reachable. */
export async function postgresUrl(): Promise<string | undefined> {
  const schema = `baton_bench_${randomBytes(4).toString("hex")}`;
  try {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.query(`create schema ${schema}`);
    await client.end();
  } catch (error) {
    log(
      `PostgreSQL not reachable (${(error as Error).message}): skipping the PostgreSQL refresh figures`,
    );
    return undefined;
  }
  return `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export async function dropPostgresSchema(url: string): Promise<void> {
  const schema = /search_path%3D(\w+)/.exec(url)?.[1];
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}

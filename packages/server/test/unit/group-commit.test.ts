import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql, type Transaction } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/store/sql/group-commit.js";

interface Schema {
  parents: { id: number };
  items: { value: number; parent: number | null };
}

describe("group commit (jobs of one event-loop turn share a transaction)", () => {
  let db: Kysely<Schema>;
  let commits: number;

  beforeEach(async () => {
    commits = 0;
    const database = new BetterSqlite3(":memory:");
    database.pragma("foreign_keys = ON");
    db = new Kysely<Schema>({
      dialect: new SqliteDialect({ database }),
      log: (event) => {
        if (event.level === "query" && event.query.sql === "commit") commits++;
      },
    });
    await db.schema
      .createTable("parents")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .execute();
    // Checked at commit time, not per statement: the way to make a commit itself fail.
    await sql`create table items (
      value integer not null,
      parent integer references parents (id) deferrable initially deferred
    )`.execute(db);
  });
  afterEach(() => db.destroy());

  const insert =
    (value: number, parent: number | null = null) =>
    (trx: Transaction<Schema>) =>
      trx.insertInto("items").values({ value, parent }).execute();
  const values = async () =>
    (await db.selectFrom("items").select("value").orderBy("value").execute()).map((r) => r.value);

  type Job = { value: number; parent?: number; fail?: boolean };
  const group = () =>
    new GroupCommit<Schema, Job, number>(db, async (trx, job) => {
      await insert(job.value, job.parent ?? null)(trx);
      if (job.fail) throw new Error(`job ${job.value} failed`);
      return job.value * 10;
    });

  it("commits the jobs submitted in one turn once, each caller getting its own result", async () => {
    const commit = group();
    const results = await Promise.all([1, 2, 3, 4, 5].map((value) => commit.submit({ value })));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(await values()).toEqual([1, 2, 3, 4, 5]);
    expect(commits).toBe(1);
  });

  it("commits jobs of different turns separately", async () => {
    const commit = group();
    expect(await commit.submit({ value: 1 })).toBe(10);
    expect(await commit.submit({ value: 2 })).toBe(20);
    expect(commits).toBe(2);
  });

  it("rolls back a failing job alone: only its caller sees the error", async () => {
    const commit = group();
    const outcomes = await Promise.allSettled([
      commit.submit({ value: 1 }),
      commit.submit({ value: 2, fail: true }),
      commit.submit({ value: 3 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      message: "job 2 failed",
    });
    expect(await values()).toEqual([1, 3]);
    expect(commits).toBe(1);
  });

  it("fails every job of the batch when the commit fails, writing none of them", async () => {
    const commit = group();
    const outcomes = await Promise.allSettled([
      commit.submit({ value: 1 }),
      commit.submit({ value: 2, parent: 99 }), // no such parent: the commit is refused
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(await values()).toEqual([]);
    // The store is usable afterwards.
    expect(await commit.submit({ value: 3 })).toBe(30);
    expect(await values()).toEqual([3]);
  });
});

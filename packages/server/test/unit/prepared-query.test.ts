import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { prepareQuery, type Param } from "../../src/store/sql/prepared-query.js";

interface Schema {
  items: { id: number; name: string; owner: string };
}

describe("prepared queries (compiled once, re-bound on each run)", () => {
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: new BetterSqlite3(":memory:") }),
  });
  afterAll(() => db.destroy());

  it("binds each run's own values, keeping constants compiled in", async () => {
    await db.schema
      .createTable("items")
      .addColumn("id", "integer", (c) => c.primaryKey())
      .addColumn("name", "text")
      .addColumn("owner", "text")
      .execute();
    const insert = prepareQuery(db, (db, param: Param<{ id: number; name: string }>) =>
      db.insertInto("items").values({ id: param("id"), name: param("name"), owner: "fixed" }),
    );
    const byName = prepareQuery(db, (db, param: Param<{ name: string }>) =>
      db.selectFrom("items").select(["id", "owner"]).where("name", "=", param("name")),
    );
    await insert(db, { id: 1, name: "one" });
    await insert(db, { id: 2, name: "two" });
    expect((await byName(db, { name: "two" })).rows).toEqual([{ id: 2, owner: "fixed" }]);
    expect((await byName(db, { name: "three" })).rows).toEqual([]);
  });

  it("runs inside a transaction it is given", async () => {
    const rename = prepareQuery(db, (db, param: Param<{ id: number; name: string }>) =>
      db
        .updateTable("items")
        .set({ name: param("name") })
        .where("id", "=", param("id")),
    );
    await expect(
      db.transaction().execute(async (trx) => {
        expect(Number((await rename(trx, { id: 1, name: "renamed" })).numAffectedRows)).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const names = await db.selectFrom("items").select("name").orderBy("id").execute();
    expect(names.map((row) => row.name)).toEqual(["one", "two"]);
  });

  it("refuses, when built, a parameter that would be compiled into the SQL text", () => {
    expect(() =>
      prepareQuery(db, (db, param: Param<{ column: string }>) =>
        db.selectFrom("items").select(sql.ref(param("column")).as("picked")),
      ),
    ).toThrow(/column.*bind parameter/);
  });
});

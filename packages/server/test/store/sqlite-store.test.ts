import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import * as vitest from "vitest";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "@baton/server";
import { storeConformance } from "@baton/server/testing";

const dir = mkdtempSync(join(tmpdir(), "baton-store-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = new WeakMap<Store, string>();
storeConformance(
  vitest,
  "SQLite file",
  async () => {
    const file = join(dir, `store-${++n}.db`);
    const store = await openStore(`sqlite:${file}`);
    files.set(store, file);
    return store;
  },
  {
    // A second connection, as the CLI or another process would open. SQLite runs one write
    // transaction at a time, so nothing else commits while it is open.
    holdRevocation(store, sessionId, now) {
      const file = files.get(store);
      if (file === undefined) throw new Error("not a store this file opened");
      const database = new BetterSqlite3(file);
      database.exec("begin immediate");
      database
        .prepare("update sessions set revoked_at = ?, revoked_reason = 'held' where id = ?")
        .run(now, sessionId);
      database
        .prepare(
          `insert into revocations (kind, subject, token_version, created_at, expires_at)
           values ('session', ?, null, ?, ?)`,
        )
        .run(sessionId, now, now + 60_000);
      return Promise.resolve({
        othersCommitMeanwhile: false,
        commit() {
          database.exec("commit");
          database.close();
          return Promise.resolve();
        },
      });
    },
  },
);
storeConformance(vitest, "SQLite in memory", () => openStore("sqlite::memory:"));

describe("0003_credential_version on a database from before it", () => {
  it("adds credential_version (0) and rewrites emails stored with a trailing dot, unless the dotless spelling is another account", async () => {
    const file = join(dir, "older.db");
    await (await openStore(`sqlite:${file}`)).close();
    // Back to the schema before 0003, with the spellings an older version accepted.
    const db = new BetterSqlite3(file);
    db.exec(`
      -- a database from before 0003 has none of the later migrations either
      delete from kysely_migration where name >= '0003';
      alter table users drop column credential_version;
      alter table sessions drop column redelivered_generation;
      drop table outbox;
      drop table account_tokens;
      alter table users drop column email_verified_at;
    `);
    const insert = db.prepare(
      `insert into users (id, email, name, password_hash, roles, token_version, created_at, updated_at)
       values (?, ?, null, '$argon2id$x', '["user"]', 0, 0, 0)`,
    );
    for (const [id, email] of [
      ["dotted", "ada@example.com."],
      ["both-dotted", "bob@example.com."],
      ["both-plain", "bob@example.com"],
      ["two-dots", "eve@example.com.."],
    ])
      insert.run(id, email);
    db.close();

    const store = await openStore(`sqlite:${file}`);
    try {
      expect(await store.findUserById("dotted")).toMatchObject({
        email: "ada@example.com",
        credentialVersion: 0,
        // 0008_email_verification: existing accounts are not verified (and keep working).
        emailVerifiedAt: null,
      });
      expect((await store.findUserById("both-dotted"))?.email).toBe("bob@example.com.");
      expect((await store.findUserById("both-plain"))?.email).toBe("bob@example.com");
      expect((await store.findUserById("two-dots"))?.email).toBe("eve@example.com..");
    } finally {
      await store.close();
    }
  });
});

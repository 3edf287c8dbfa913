import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll } from "vitest";
import { openStore, type Store } from "@baton/server";
import { storeConformance } from "./store-conformance.js";

const dir = mkdtempSync(join(tmpdir(), "baton-store-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const files = new WeakMap<Store, string>();
storeConformance(
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
storeConformance("SQLite in memory", () => openStore("sqlite::memory:"));

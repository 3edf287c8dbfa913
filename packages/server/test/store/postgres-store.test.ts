import pg from "pg";
import * as vitest from "vitest";
import { describe, expect, it } from "vitest";
import { openStore, type Store } from "@baton/server";
import { freshPostgresSchema, probePostgres, serviceAvailable } from "../support/services.js";
import { storeConformance } from "@baton/server/testing";

const available = await serviceAvailable("PostgreSQL", probePostgres);

describe.runIf(available)("PostgreSQL", () => {
  it("migrates schemas side by side: each keeps its own migration bookkeeping", async () => {
    const [first, second] = await Promise.all([freshPostgresSchema(), freshPostgresSchema()]);
    try {
      const stores = await Promise.all([openStore(first.url), openStore(second.url)]);
      const again = await openStore(first.url); // already migrated: a no-op
      for (const store of [...stores, again]) {
        await store.ping();
        await store.close();
      }
    } finally {
      await Promise.all([first.drop(), second.drop()]);
    }
  });

  it("0003_credential_version on a database from before it: credential_version 0, trailing-dot emails rewritten unless taken", async () => {
    const schema = await freshPostgresSchema();
    try {
      await (await openStore(schema.url)).close();
      const db = new pg.Client({ connectionString: schema.url });
      await db.connect();
      await db.query(`
        -- a database from before 0003 has none of the later migrations either
        delete from kysely_migration where name >= '0003';
        alter table users drop column credential_version;
        alter table sessions drop column redelivered_generation;
      drop table outbox;
      drop table account_tokens;
      alter table users drop column email_verified_at;
      `);
      for (const [id, email] of [
        ["dotted", "ada@example.com."],
        ["both-dotted", "bob@example.com."],
        ["both-plain", "bob@example.com"],
      ])
        await db.query(
          `insert into users (id, email, name, password_hash, roles, token_version, created_at, updated_at)
           values ($1, $2, null, '$argon2id$x', '["user"]', 0, 0, 0)`,
          [id, email],
        );
      await db.end();
      const store = await openStore(schema.url);
      try {
        expect(await store.findUserById("dotted")).toMatchObject({
          email: "ada@example.com",
          credentialVersion: 0,
        });
        expect((await store.findUserById("both-dotted"))?.email).toBe("bob@example.com.");
        expect((await store.findUserById("both-plain"))?.email).toBe("bob@example.com");
      } finally {
        await store.close();
      }
    } finally {
      await schema.drop();
    }
  });

  const urls = new WeakMap<Store, string>();
  storeConformance(
    vitest,
    "PostgreSQL",
    async () => {
      const schema = await freshPostgresSchema();
      const store = await openStore(schema.url);
      const close = store.close.bind(store);
      urls.set(store, schema.url);
      return Object.assign<Store, Pick<Store, "close">>(store, {
        async close() {
          await close();
          await schema.drop();
        },
      });
    },
    {
      async holdRevocation(store, sessionId, now) {
        const client = new pg.Client({ connectionString: urls.get(store) });
        await client.connect();
        await client.query("begin");
        await client.query(
          "update sessions set revoked_at = $1, revoked_reason = 'held' where id = $2",
          [now, sessionId],
        );
        await client.query(
          `insert into revocations (kind, subject, token_version, created_at, expires_at)
           values ('session', $1, null, $2, $3)`,
          [sessionId, now, now + 60_000],
        );
        return {
          othersCommitMeanwhile: true,
          async commit() {
            await client.query("commit");
            await client.end();
          },
        };
      },
    },
  );
});

import pg from "pg";
import { describe, it } from "vitest";
import { openStore, type Store } from "@baton/server";
import { freshPostgresSchema, probePostgres, serviceAvailable } from "../helpers/services.js";
import { storeConformance } from "./store-conformance.js";

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

  const urls = new WeakMap<Store, string>();
  storeConformance(
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

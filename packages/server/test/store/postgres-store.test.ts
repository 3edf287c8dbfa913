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

  storeConformance("PostgreSQL", async () => {
    const schema = await freshPostgresSchema();
    const store = await openStore(schema.url);
    const close = store.close.bind(store);
    return Object.assign<Store, Pick<Store, "close">>(store, {
      async close() {
        await close();
        await schema.drop();
      },
    });
  });
});

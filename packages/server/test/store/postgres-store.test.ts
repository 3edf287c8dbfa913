import { describe } from "vitest";
import { openStore, type Store } from "@baton/server";
import { freshPostgresSchema, probePostgres, serviceAvailable } from "../helpers/services.js";
import { storeConformance } from "./store-conformance.js";

const available = await serviceAvailable("PostgreSQL", probePostgres);

describe.runIf(available)("PostgreSQL", () => {
  storeConformance("PostgreSQL", async () => {
    const schema = await freshPostgresSchema();
    const store = await openStore(schema.url);
    const close = store.close.bind(store);
    return Object.assign(store, {
      async close() {
        await close();
        await schema.drop();
      },
    }) as Store;
  });
});

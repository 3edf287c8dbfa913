import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vitest from "vitest";
import { afterAll } from "vitest";
import { outboxConformance } from "@baton/server/testing";
import { openPostgresStore } from "../../src/store/sql/postgres.js";
import { openSqliteStore } from "../../src/store/sql/sqlite.js";
import { freshPostgresSchema, probePostgres, serviceAvailable } from "../support/services.js";

// The outbox contract (`@baton/server/testing`) on Baton's own stores.

const directory = mkdtempSync(join(tmpdir(), "baton-outbox-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

outboxConformance(vitest, "SQLite file", () =>
  openSqliteStore(join(directory, `outbox-${++files}.db`)),
);

if (await serviceAvailable("PostgreSQL", probePostgres)) {
  const schemas: { drop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const schema of schemas) await schema.drop();
  });
  outboxConformance(vitest, "PostgreSQL", async () => {
    const schema = await freshPostgresSchema();
    schemas.push(schema);
    return openPostgresStore(schema.url, { poolSize: 4 });
  });
}

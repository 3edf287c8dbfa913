import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openStore } from "@baton/server";
import { storeConformance } from "./store-conformance.js";

const dir = mkdtempSync(join(tmpdir(), "baton-store-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeConformance("SQLite file", () => openStore(`sqlite:${join(dir, `store-${++n}.db`)}`));
storeConformance("SQLite in memory", () => openStore("sqlite::memory:"));

/**
 * `@baton/server/testing`: the store conformance suite, for custom stores (`BatonOptions.store`)
 * to prove they meet the contract Baton's own stores meet.
 *
 * @example
 * ```ts
 * import * as vitest from "vitest";
 * import { storeConformance } from "@baton/server/testing";
 *
 * storeConformance(vitest, "my store", () => openMyStore());
 * ```
 */
export { storeConformance } from "./store-conformance.js";
export { outboxConformance } from "./outbox-conformance.js";
export type { HeldRevocation, StoreConformanceOptions } from "./store-conformance.js";
export type { Assertion, Expect, SettledAssertion, TestApi } from "./test-api.js";

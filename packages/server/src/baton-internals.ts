import type { Core } from "./core.js";
import type { RequestPipeline } from "./http/request-pipeline.js";
import type { Route } from "./http/route.js";

/**
 * What the adapters (`@baton/server/fastify`, `/express`, `/socket`), the standalone server and
 * the CLI need of a Baton, and applications must not reach: the core carries the signing keys
 * and the keys derived from the root secret. Kept beside each instance in a module-private
 * WeakMap, not on it, and exported by no entry point.
 */
export interface BatonInternals {
  readonly core: Core;
  readonly routes: readonly Route[];
  readonly pipeline: RequestPipeline;
  /** Runs `close` when the Baton closes (before the store closes). */
  readonly closeWith: (close: () => Promise<void> | void) => void;
}

// Keyed by the Baton object (typed `object`: this module sits below baton.ts and cannot name it).
const internals = new WeakMap<object, BatonInternals>();

/** Called once by createBaton. */
export function setInternals(baton: object, value: BatonInternals): void {
  internals.set(baton, value);
}

/** The internals of a Baton made by createBaton; a TypeError for anything else. */
export function internalsOf(baton: object): BatonInternals {
  const found = internals.get(baton);
  if (found === undefined) throw new TypeError("Expected a Baton made by createBaton()");
  return found;
}

/** The core of a Baton (for the CLI, the adapters and tests). */
export const coreOf = (baton: object): Core => internalsOf(baton).core;

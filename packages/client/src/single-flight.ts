/**
 * Collapses concurrent calls into one execution: while a run is in flight, every caller gets the
 * same promise. This is what turns fifty simultaneous `401 TOKEN_EXPIRED` answers into one
 * `POST /refresh` (each parallel refresh would otherwise rotate the token under the others).
 */
export interface SingleFlight<T> {
  /** Starts `operation` unless a run is in flight, in which case it joins that run. */
  run(operation: () => Promise<T>): Promise<T>;
  /** The run in flight, if any. */
  readonly current: Promise<T> | undefined;
}

/**
 * Creates a {@link SingleFlight}. A settled run is forgotten at once, so the next call starts a
 * new one (errors are not cached: that is the caller's cool-down policy, not this primitive's).
 */
export function createSingleFlight<T>(): SingleFlight<T> {
  let inFlight: Promise<T> | undefined;
  return {
    run(operation) {
      if (inFlight) return inFlight;
      // Deferred by a microtask so that even a synchronous throw settles `run` after it is set.
      const run = Promise.resolve()
        .then(operation)
        .finally(() => {
          // Only clear our own run: a later run may already have replaced it.
          if (inFlight === run) inFlight = undefined;
        });
      inFlight = run;
      return run;
    },
    get current() {
      return inFlight;
    },
  };
}

/**
 * One reading of the server's clock: a whole-second server timestamp (a token's `iat`, or the
 * response's `Date` header) produced at some moment while the request was in flight.
 */
export interface ClockSample {
  /** Server time truncated to whole seconds (both `iat` and HTTP-dates are truncated). */
  serverSeconds: number;
  /** Local time just before the request was sent. */
  sentAt: number;
  /** Local time when the response arrived. */
  receivedAt: number;
}

/**
 * Estimates `server clock - local clock`. A laptop whose clock is five minutes off must still
 * refresh a 15-minute token on time, so expiry is never compared with the raw local clock.
 *
 * Each sample bounds the offset to an interval, `(s - receivedAt, s + 1 s - sentAt)`: the server
 * read its clock somewhere inside the round trip, and truncated it to the second. Intervals of
 * later samples are intersected, so the estimate sharpens with every response (the idea behind
 * NTP's and Marzullo's interval algorithms) instead of carrying a one-second truncation error
 * forever. If the local clock jumps (the user fixed it), the intersection becomes empty and the
 * estimator restarts from the newest sample.
 */
export interface SkewEstimator {
  observe(sample: ClockSample): void;
  /** Best estimate of `server - local`, in ms (0 before the first sample). */
  readonly offsetMs: number;
  /** The interval known to contain the offset, or `undefined` before the first sample. */
  readonly bounds: { readonly low: number; readonly high: number } | undefined;
  /** Converts a server timestamp (ms) to this machine's clock. */
  toLocal(serverMs: number): number;
}

/** Creates a {@link SkewEstimator}. */
export function createSkewEstimator(): SkewEstimator {
  let bounds: { low: number; high: number } | undefined;
  return {
    observe({ serverSeconds, sentAt, receivedAt }) {
      if (!Number.isFinite(serverSeconds) || receivedAt < sentAt) return;
      const low = serverSeconds * 1000 - receivedAt;
      const high = serverSeconds * 1000 + 1000 - sentAt;
      if (!bounds) {
        bounds = { low, high };
        return;
      }
      const merged = { low: Math.max(bounds.low, low), high: Math.min(bounds.high, high) };
      bounds = merged.low <= merged.high ? merged : { low, high };
    },
    get offsetMs() {
      return bounds ? (bounds.low + bounds.high) / 2 : 0;
    },
    get bounds() {
      return bounds ? { ...bounds } : undefined;
    },
    toLocal(serverMs) {
      return serverMs - this.offsetMs;
    },
  };
}

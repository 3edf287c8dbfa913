import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type CryptoKey,
  type JSONWebKeySet,
} from "jose";
import { VerifyError } from "./kernel/verify-error.js";

export interface KeySetOptions {
  /**
   * Least time between two JWKS fetches caused by tokens with an unknown `kid` (ms). Default
   * 5000: a key rotated in by `baton keys rotate` is found within 5 s of the previous fetch, and
   * tokens with made-up `kid`s cannot make this service fetch more often than that.
   */
  cooldownDuration?: number;
  /** How long a fetched JWKS is used before it is fetched again (ms). Default 600000 (10 min). */
  cacheMaxAge?: number;
  /** Timeout of a JWKS fetch (ms). Default 5000. */
  timeoutDuration?: number;
  /** Extra headers for the JWKS request. */
  headers?: Record<string, string>;
}

/**
 * The Baton JWKS as jose's key resolver: fetched on first use, cached, refetched when a token
 * names an unknown `kid` (after a key rotation) at most once per cooldown, and shared by
 * concurrent requests (jose's createRemoteJWKSet does all that).
 *
 * One addition: when Baton cannot be reached, the keys last fetched keep verifying, so a Baton
 * outage does not turn into 401s (logouts) on every resource server. A token whose key is not
 * among them is then UNAVAILABLE (503, retry), not TOKEN_INVALID: it may be signed by a key
 * rotated in during the outage.
 */
export function remoteKeySet(
  url: URL,
  options: KeySetOptions = {},
): (kid: string, alg: string) => Promise<CryptoKey> {
  const cooldownDuration = options.cooldownDuration ?? 5000;
  const remote = createRemoteJWKSet(url, {
    cooldownDuration,
    cacheMaxAge: options.cacheMaxAge ?? 600_000,
    timeoutDuration: options.timeoutDuration ?? 5000,
    ...(options.headers !== undefined && { headers: options.headers }),
  });
  let failedAt = Number.NEGATIVE_INFINITY;
  let stale: { jwks: JSONWebKeySet; resolve: ReturnType<typeof createLocalJWKSet> } | undefined;

  // jose picks the entry by kid, and only one published with the token's `alg` (and its kty).
  const fromStale = async (header: { kid: string; alg: string }) => {
    const last = remote.jwks();
    if (last === undefined) return undefined;
    if (stale?.jwks !== last) stale = { jwks: last, resolve: createLocalJWKSet(last) };
    try {
      return await stale.resolve(header);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey)
        throw new VerifyError("UNAVAILABLE", "Signing keys cannot be fetched right now", {
          cause: error,
        });
      throw error;
    }
  };

  return async (kid, alg) => {
    const header = { kid, alg };
    // After a failed fetch, do not make every request wait for the network again: back off for
    // a cooldown, verifying with the keys we have.
    if (Date.now() - failedAt < cooldownDuration) {
      const key = await fromStale(header);
      if (key !== undefined) return key;
    }
    try {
      return await remote(header);
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      failedAt = Date.now();
      const key = await fromStale(header);
      if (key !== undefined) return key;
      throw new VerifyError("UNAVAILABLE", "Signing keys cannot be fetched right now", {
        cause: error,
      });
    }
  };
}

/** The JWKS could not be had (network, timeout, non-200, not a key set); not the token's fault. */
function isFetchFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return !(error instanceof VerifyError);
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error.code === "ERR_JOSE_GENERIC"
  );
}

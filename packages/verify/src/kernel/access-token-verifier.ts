import type { AccessTokenClaims } from "@baton/protocol";
import { errors, jwtVerify, type CryptoKey, type JWTHeaderParameters, type KeyObject } from "jose";
import { parseAccessTokenClaims } from "./access-token-claims.js";
import { isWellFormedAccessToken } from "./access-token-shape.js";
import { VerifiedTokenCache } from "./verified-token-cache.js";
import { VerifyError } from "./verify-error.js";

/** What a deployment decides about its tokens; everything else about them is fixed here. */
export interface AccessTokenRules {
  /** Expected `iss` (Baton's JWT_ISSUER). */
  issuer: string;
  /** Expected `aud` (Baton's JWT_AUDIENCE). */
  audience: string;
  /** Leeway for `exp`, `nbf` and `iat`. */
  clockToleranceMs: number;
  /** Algorithms a token may name at all. Each key is further pinned to its own (see KeyResolver). */
  algorithms: readonly string[];
}

export type VerificationKey = KeyObject | CryptoKey | Uint8Array;

/**
 * The key that verifies tokens naming `kid` with algorithm `alg`, or undefined when there is no
 * such key *for that algorithm*: a key verifies only with the one algorithm it was made for
 * (RFC 8725 §3.1), so `alg` is matched against the key's own, never taken from the token alone.
 * It may throw VerifyError UNAVAILABLE when the keys cannot be had right now.
 */
export type KeyResolver = (
  kid: string,
  alg: string,
) => VerificationKey | undefined | Promise<VerificationKey | undefined>;

/**
 * What a valid Baton access token is, written once for @baton/server and @baton/verify (RFC 9068
 * profile): a well-formed compact JWS, signed by the key its `kid` names with that key's own
 * algorithm, `typ: at+jwt`, the expected `iss` and `aud`, unexpired (with the leeway), not issued
 * in the future, and carrying sub/sid/iat/exp/jti, `roles` (string[]) and `ver` (integer). The
 * signature is checked before any claim (jose does so). A verified token is cached until it
 * expires, so a token reused on every request costs a map lookup.
 *
 * Errors are VerifyError TOKEN_EXPIRED or TOKEN_INVALID (the token's fault), or whatever the key
 * resolver threw (an outage: the caller decides what that is).
 */
export class AccessTokenVerifier {
  private readonly cache: VerifiedTokenCache;

  constructor(
    private readonly rules: AccessTokenRules,
    private readonly resolveKey: KeyResolver,
    private readonly clock: { now(): number },
    cacheSize = 100_000,
  ) {
    this.cache = new VerifiedTokenCache(cacheSize);
  }

  /**
   * Claims of a token verified before, synchronously (the hot path: a map lookup, no promise);
   * undefined when it must be verified. Throws TOKEN_EXPIRED once a cached token has expired.
   */
  cached(token: string): AccessTokenClaims | undefined {
    const hit = this.cache.get(token, this.clock.now() - this.rules.clockToleranceMs);
    if (hit === "expired") throw new VerifyError("TOKEN_EXPIRED", "Access token has expired");
    return hit;
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const cached = this.cached(token);
    if (cached !== undefined) return cached;
    const now = this.clock.now();
    if (!isWellFormedAccessToken(token))
      throw new VerifyError("TOKEN_INVALID", "Access token is malformed");

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keyFor, {
        algorithms: [...this.rules.algorithms],
        typ: "at+jwt",
        issuer: this.rules.issuer,
        audience: this.rules.audience,
        clockTolerance: this.rules.clockToleranceMs / 1000,
        currentDate: new Date(now),
        requiredClaims: ["sub", "sid", "iat", "exp", "jti"],
      }));
    } catch (error) {
      throw classify(error);
    }
    const claims = parseAccessTokenClaims(payload);
    if (claims === undefined)
      throw new VerifyError("TOKEN_INVALID", "Access token claims are malformed");
    // jose checks iat only for being a number; a token from the future is someone's mistake or
    // forgery, and would outlive its own TTL.
    if (claims.iat * 1000 > now + this.rules.clockToleranceMs)
      throw new VerifyError("TOKEN_INVALID", "Access token is issued in the future");
    this.cache.set(token, claims, claims.exp * 1000);
    return claims;
  }

  /** Forgets every verdict (after the keys changed). */
  clear(): void {
    this.cache.clear();
  }

  // The key is chosen by kid, never guessed: a token without a string kid finds none.
  private readonly keyFor = async (header: JWTHeaderParameters): Promise<VerificationKey> => {
    const { kid, alg } = header as { kid?: unknown; alg?: unknown };
    const key =
      typeof kid === "string" && typeof alg === "string"
        ? await this.resolveKey(kid, alg)
        : undefined;
    if (key === undefined) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}

function classify(error: unknown): unknown {
  if (error instanceof VerifyError) return error;
  if (error instanceof errors.JWTExpired)
    return new VerifyError("TOKEN_EXPIRED", "Access token has expired");
  // Bad signature, unknown kid, wrong alg/typ/iss/aud, missing claims: all the token's fault.
  if (error instanceof errors.JOSEError)
    return new VerifyError("TOKEN_INVALID", "Access token is invalid");
  return error;
}

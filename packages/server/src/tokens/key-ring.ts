import type { JWK } from "jose";
import type { SigningKey } from "./signing-key.js";

/**
 * The keys that sign and verify access tokens. The newest active key signs; retired keys keep
 * verifying until every token they signed has expired (`verifyFor` after retirement), then drop
 * out of the ring and the JWKS. Keys of several algorithms may be in one ring (after JWT_ALG
 * changed); each verifies only with its own.
 */
export class KeyRing {
  private byKid = new Map<string, SigningKey>();
  private signer: SigningKey;

  constructor(keys: SigningKey[]) {
    const signer = newestActive(keys);
    if (signer === undefined) throw new Error("Key ring has no active signing key");
    this.signer = signer;
    for (const key of keys) this.byKid.set(key.kid, key);
  }

  get active(): SigningKey {
    return this.signer;
  }

  /** The key for a token's `kid`, if it may still verify tokens at `now`. */
  find(kid: string, now: number, verifyForMs: number): SigningKey | undefined {
    const key = this.byKid.get(kid);
    if (key === undefined) return undefined;
    if (key.retiredAt !== null && now > key.retiredAt + verifyForMs) return undefined;
    return key;
  }

  /** RFC 7517 key set: public keys that may still verify tokens. */
  jwks(now: number, verifyForMs: number): { keys: JWK[] } {
    const keys: JWK[] = [];
    for (const key of this.byKid.values()) {
      if (key.publicJwk !== undefined && this.find(key.kid, now, verifyForMs))
        keys.push(key.publicJwk);
    }
    return { keys };
  }

  get kids(): string[] {
    return [...this.byKid.keys()];
  }
}

/**
 * The one key that signs among several active ones: the newest, ties broken by kid. Every
 * instance applies the same order to the same rows, so all of them agree on it (see
 * stored-key-ring.ts for how a race leaves only one active key).
 */
export function newestActive<
  K extends { kid: string; createdAt: number; retiredAt: number | null },
>(keys: readonly K[]): K | undefined {
  let newest: K | undefined;
  for (const key of keys) {
    if (key.retiredAt !== null) continue;
    if (
      newest === undefined ||
      key.createdAt > newest.createdAt ||
      (key.createdAt === newest.createdAt && key.kid > newest.kid)
    )
      newest = key;
  }
  return newest;
}

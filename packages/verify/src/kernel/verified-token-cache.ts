import type { AccessTokenClaims } from "@baton/protocol";

/**
 * Tokens whose signature and claims already checked out, kept until they expire, so a token
 * reused on every request costs a map lookup instead of a signature verification. Bounded: when
 * full, the oldest tenth is dropped (a Map iterates in insertion order).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { claims: AccessTokenClaims; expiresAtMs: number }>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Claims of a cached token; "expired" once `now` reaches its expiry; undefined if unknown. */
  get(token: string, now: number): AccessTokenClaims | "expired" | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAtMs) {
      this.entries.delete(token);
      return "expired";
    }
    return entry.claims;
  }

  set(token: string, claims: AccessTokenClaims, expiresAtMs: number): void {
    if (this.maxEntries <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      let drop = Math.ceil(this.maxEntries / 10);
      for (const key of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(key);
      }
    }
    this.entries.set(token, { claims, expiresAtMs });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

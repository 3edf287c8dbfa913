import type { AccessTokenClaims } from "@baton/protocol";

const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * Tokens whose signature and claims already checked out, kept until they expire. Bounded: when
 * full, the oldest tenth is dropped (Map iteration follows insertion order).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { claims: AccessTokenClaims; expiresAtMs: number }>();

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** Claims for a cached token, "expired" if cached but past `exp` at `now`, else undefined. */
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
    if (this.entries.size >= this.maxEntries) this.evictOldest(Math.ceil(this.maxEntries / 10));
    this.entries.set(token, { claims, expiresAtMs });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evictOldest(count: number): void {
    let left = count;
    for (const token of this.entries.keys()) {
      if (left-- <= 0) break;
      this.entries.delete(token);
    }
  }
}

import type { RevocationRecord } from "../store/store.js";

export type TokenStanding = "valid" | "revoked" | "stale";

/**
 * In-process record of what made outstanding access tokens invalid before their `exp`: revoked
 * sessions, and users whose token version was raised (roles changed). Checked on every
 * authenticated request with two map lookups and no I/O. Entries live only as long as an
 * affected token could, so the maps stay small.
 */
export class Denylist {
  private readonly sessions = new Map<string, number>();
  private readonly userFloors = new Map<string, { version: number; until: number }>();

  /** Idempotent, and order does not matter: a record read twice or late changes nothing more. */
  apply(record: RevocationRecord): void {
    if (record.kind === "session") {
      this.sessions.set(
        record.subject,
        Math.max(record.expiresAt, this.sessions.get(record.subject) ?? 0),
      );
    } else if (record.tokenVersion !== null) {
      const previous = this.userFloors.get(record.subject);
      this.userFloors.set(record.subject, {
        version: Math.max(record.tokenVersion, previous?.version ?? 0),
        until: Math.max(record.expiresAt, previous?.until ?? 0),
      });
    }
  }

  /** `revoked`: the session ended. `stale`: claims are out of date; a refresh fixes it. */
  standing(claims: { sid: string; sub: string; ver: number }): TokenStanding {
    if (this.sessions.has(claims.sid)) return "revoked";
    const floor = this.userFloors.get(claims.sub);
    if (floor !== undefined && claims.ver < floor.version) return "stale";
    return "valid";
  }

  /** Drops entries that no unexpired token can match any more. */
  sweep(now: number): void {
    for (const [sid, until] of this.sessions) if (until <= now) this.sessions.delete(sid);
    for (const [sub, floor] of this.userFloors) if (floor.until <= now) this.userFloors.delete(sub);
  }

  get size(): number {
    return this.sessions.size + this.userFloors.size;
  }
}

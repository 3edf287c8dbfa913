import type { Clock } from "../clock.js";
import type { RevocationRecord, UserRecord } from "../store/store.js";

/** How many users' records the cache keeps (≈ 1 KiB each): beyond it, the oldest go first. */
export const PROFILE_CACHE_ENTRIES = 10_000;

/**
 * The user records `GET /me` answers from, so that a single-page app's call on every page load
 * costs no database read. Whole records are kept (the route picks the public fields), so a field
 * added to users later is cached with no change here.
 *
 * Never stale beyond the revocation bound, on any instance:
 * - every revocation row the feed reads for a user (a role change, and any change recorded the
 *   same way) drops that user's entry, on the instance that made the change at once and on the
 *   others when they read the feed (announcement, or poll);
 * - a deleted account has no live session left (its sessions are revoked with it), so the
 *   denylist refuses its tokens before the cache is asked;
 * - and whatever changed without a revocation row (a name, an email) is re-read once the entry is
 *   `maxAgeMs` old: the revocation poll interval, the bound within which another instance sees a
 *   revocation when the announcement is lost. An operation that changes a user on this instance
 *   calls `forget` so its own caller reads the change at once.
 */
export class ProfileCache {
  private readonly entries = new Map<string, { user: UserRecord; readAt: number }>();
  /** Raised by every `forget`: a read that started before it must not be cached. */
  private epoch = 0;

  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private readonly maxEntries = PROFILE_CACHE_ENTRIES,
  ) {}

  /** The cached record of `userId`, or undefined when it must be read from the store. */
  get(userId: string): UserRecord | undefined {
    const entry = this.entries.get(userId);
    if (entry === undefined) return undefined;
    if (this.clock.now() - entry.readAt >= this.maxAgeMs) {
      this.entries.delete(userId);
      return undefined;
    }
    return entry.user;
  }

  /** Call before reading a user from the store; pass the answer to `set` with the read. */
  beginRead(): { epoch: number; at: number } {
    return { epoch: this.epoch, at: this.clock.now() };
  }

  /** Keeps `user` as read at `read`, unless something was forgotten meanwhile (it may be older). */
  set(user: UserRecord, read: { epoch: number; at: number }): void {
    if (read.epoch !== this.epoch || this.maxEntries <= 0 || this.maxAgeMs <= 0) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(user.id)) {
      // A Map iterates in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(user.id, { user, readAt: read.at });
  }

  /** Drops `userId`'s entry: its record changed (or may have). */
  forget(userId: string): void {
    this.epoch++;
    this.entries.delete(userId);
  }

  /** What the revocation feed calls for every row it reads. */
  applyRevocation(record: RevocationRecord): void {
    if (record.kind === "user") this.forget(record.subject);
  }

  get size(): number {
    return this.entries.size;
  }
}

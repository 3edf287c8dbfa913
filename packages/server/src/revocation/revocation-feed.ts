import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { ClusterBus } from "../cluster/cluster-bus.js";
import type { RevocationCursor, RevocationRecord, RevocationStore } from "../store/store.js";
import type { Denylist } from "./denylist.js";

/**
 * Keeps the denylist in step with the store's revocations table: at startup (so a restart does
 * not bring a revoked token back), right after this instance records a revocation, and — when
 * several instances share a database — on a poll and on another instance's announcement. All
 * four go through `catchUp()`, one read at a time, each continuing from the store's cursor.
 */
export class RevocationFeed {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /**
   * Where the last read left off, as the store defines it (not the highest id: on PostgreSQL ids
   * are not taken in commit order). Null until the startup read, which reads every live row.
   */
  private cursor: RevocationCursor | null = null;

  constructor(
    private readonly store: Pick<RevocationStore, "listRevocations">,
    private readonly denylist: Denylist,
    private readonly clock: Clock,
    private readonly bus: ClusterBus,
    private readonly logger: Logger,
    /** Also told of every row read, after the denylist (the profile cache of `/me`). */
    private readonly alsoApply: readonly ((record: RevocationRecord) => void)[] = [],
  ) {}

  /**
   * After this instance recorded a revocation: apply it here at once, then tell the other
   * instances to look. If the message is lost, their poll still finds it.
   */
  async recorded(): Promise<void> {
    await this.catchUp();
    await this.bus.publish("revocations").catch((error: unknown) => {
      this.logger.warn(
        { err: error },
        "could not announce a revocation to other instances; they will find it by polling",
      );
    });
  }

  /**
   * Applies every revocation recorded before this call. A call made while a load is running
   * waits for one more load (the running one may have read before the caller's change committed);
   * calls made meanwhile share that next load.
   */
  catchUp(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.load().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.catchUp();
      });
    return this.queued;
  }

  private async load(): Promise<void> {
    const now = this.clock.now();
    const page = await this.store.listRevocations(this.cursor, now);
    for (const record of page.revocations) {
      this.denylist.apply(record);
      for (const apply of this.alsoApply) apply(record);
    }
    this.cursor = page.cursor;
    this.denylist.sweep(now);
  }
}

import type { Core } from "../core.js";
import type { ClusterBus } from "../cluster/cluster-bus.js";
import { reloadSigningKeys, rotateSigningKey } from "./key-rotation.js";

/** How often expired sessions, tokens and revocations are purged. */
const PURGE_INTERVAL_MS = 10 * 60_000;
/** How often the key ring is re-read (and rotated when due). */
const KEY_CHECK_INTERVAL_MS = 30_000;

/**
 * The periodic work of one instance: purge, revocation polling (how instances sharing a database
 * converge without Redis), key reload and scheduled rotation, and reacting to other instances'
 * announcements. Returns a function that stops it all.
 */
export function startBackgroundJobs(core: Core, bus: ClusterBus): () => void {
  const { config, clock, logger } = core;
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, what: string, job: () => Promise<void>) => {
    const timer = setInterval(() => {
      job().catch((error: unknown) => logger.warn({ err: error }, `${what} failed; will retry`));
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  every(PURGE_INTERVAL_MS, "purge of expired sessions", async () => {
    await core.store.deleteExpired(clock.now());
    core.denylist.sweep(clock.now());
  });
  every(config.revocationPollIntervalMs, "revocation poll", () => core.revocations.catchUp());
  if (config.jwtAlg !== "HS256") {
    every(KEY_CHECK_INTERVAL_MS, "signing key check", async () => {
      const active = core.accessTokens.keyRing.active;
      if (
        config.keyRotationIntervalMs > 0 &&
        clock.now() - active.createdAt >= config.keyRotationIntervalMs
      ) {
        const rotated = await rotateSigningKey(core);
        logger.info({ kid: rotated.kid }, "signing key rotated on schedule");
        await bus.publish("keys");
      } else {
        await reloadSigningKeys(core);
      }
    });
  }

  bus.subscribe((event) => {
    const job = event === "revocations" ? core.revocations.catchUp() : reloadSigningKeys(core);
    job.catch((error: unknown) =>
      logger.warn({ err: error, event }, "could not apply an announcement from another instance"),
    );
  });

  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}

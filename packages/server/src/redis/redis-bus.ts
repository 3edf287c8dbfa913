import type { Redis } from "ioredis";
import type { ClusterBus, ClusterEvent } from "../cluster/cluster-bus.js";

const CHANNEL = "baton:events";

/**
 * Redis pub/sub between instances. Messages carry no data, only "look again": the store stays
 * the source of truth, so a lost message costs latency (the poll catches up), never correctness.
 */
export function redisBus(publisher: Redis, subscriber: Redis): ClusterBus {
  const handlers: ((event: ClusterEvent) => void)[] = [];
  subscriber.on("message", (_channel: string, message: string) => {
    if (message === "revocations" || message === "keys")
      for (const handler of handlers) handler(message);
  });
  // Subscribe now, and again whenever the connection (re)becomes ready: Redis may be down at start.
  const subscribe = () => void subscriber.subscribe(CHANNEL).catch(() => undefined);
  subscriber.on("ready", subscribe);
  if (subscriber.status === "ready") subscribe();
  return {
    async publish(event) {
      await publisher.publish(CHANNEL, event);
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
      await Promise.resolve();
    },
  };
}

/** What one instance tells the others: new revocations to read, or signing keys to reload. */
export type ClusterEvent = "revocations" | "keys";

/**
 * How instances sharing a database tell each other to look again (redis/redis-bus.ts over Redis
 * pub/sub). Messages carry no data: the store stays the source of truth.
 */
export interface ClusterBus {
  publish(event: ClusterEvent): Promise<void>;
  subscribe(handler: (event: ClusterEvent) => void): void;
  close(): Promise<void>;
}

/** A single instance has no one to tell. */
export const localBus: ClusterBus = {
  publish: () => Promise.resolve(),
  subscribe: () => undefined,
  close: () => Promise.resolve(),
};

import type { BroadcastChannelLike, LockManagerLike } from "../../src/cross-tab.js";

type Listener = (event: { data: unknown }) => void;

/**
 * The BroadcastChannels of one browser: a message posted on one channel reaches every *other*
 * open channel of the same name, asynchronously (a microtask later), as structured clones.
 */
export class FakeBroadcastHub {
  private channels = new Set<FakeChannel>();
  /** Every message posted, for assertions. */
  readonly log: unknown[] = [];

  open(name: string): BroadcastChannelLike {
    const channel = new FakeChannel(name, this);
    this.channels.add(channel);
    return channel;
  }

  deliver(from: FakeChannel, message: unknown): void {
    this.log.push(message);
    const copy = structuredClone(message);
    for (const channel of this.channels) {
      if (channel !== from && channel.name === from.name)
        queueMicrotask(() => channel.receive(copy));
    }
  }

  close(channel: FakeChannel): void {
    this.channels.delete(channel);
  }

  get openCount(): number {
    return this.channels.size;
  }
}

class FakeChannel implements BroadcastChannelLike {
  private listeners = new Set<Listener>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly hub: FakeBroadcastHub,
  ) {}

  postMessage(message: unknown): void {
    if (this.closed) throw new DOMException("closed", "InvalidStateError");
    this.hub.deliver(this, message);
  }

  addEventListener(_type: "message", listener: Listener): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: "message", listener: Listener): void {
    this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.hub.close(this);
  }

  receive(data: unknown): void {
    if (this.closed) return;
    for (const listener of this.listeners) listener({ data });
  }
}

/**
 * `navigator.locks` of one browser: exclusive locks granted in request order; a waiting request
 * whose signal aborts is rejected with the signal's reason (as the Web Locks API does).
 */
export class FakeLockManager implements LockManagerLike {
  private held = new Set<string>();
  private queue: { name: string; grant: () => void }[] = [];
  /** How many times a lock was granted. */
  grants = 0;

  request<T>(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry = {
        name,
        grant: () => {
          options.signal?.removeEventListener("abort", onAbort);
          this.held.add(name);
          this.grants += 1;
          Promise.resolve()
            .then(callback)
            .then(resolve, reject)
            .finally(() => {
              this.held.delete(name);
              this.pump();
            });
        },
      };
      const onAbort = () => {
        this.queue = this.queue.filter((queued) => queued !== entry);
        reject(
          (options.signal?.reason as Error | undefined) ??
            new DOMException("aborted", "AbortError"),
        );
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(entry);
      this.pump();
    });
  }

  /** Holds `name` until the returned function is called: a hung tab. */
  hold(name: string): () => void {
    let release!: () => void;
    void this.request(name, {}, () => new Promise<void>((resolve) => (release = resolve)));
    return () => release();
  }

  private pump(): void {
    for (const entry of [...this.queue]) {
      if (this.held.has(entry.name)) continue;
      this.queue = this.queue.filter((queued) => queued !== entry);
      entry.grant();
    }
  }
}

/** A window/document pair whose events the test fires by hand. */
export class FakeEnvironment {
  private listeners = new Map<string, Set<() => void>>();
  visibilityState = "visible";

  readonly window = {
    addEventListener: (type: string, listener: () => void) => this.add(type, listener),
    removeEventListener: (type: string, listener: () => void) => this.remove(type, listener),
  };

  readonly document: {
    addEventListener(type: string, listener: () => void): void;
    removeEventListener(type: string, listener: () => void): void;
    readonly visibilityState: string;
  };

  constructor() {
    const read = () => this.visibilityState;
    this.document = {
      addEventListener: (type, listener) => this.add(type, listener),
      removeEventListener: (type, listener) => this.remove(type, listener),
      get visibilityState() {
        return read();
      },
    };
  }

  fire(type: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  private add(type: string, listener: () => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  private remove(type: string, listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }
}

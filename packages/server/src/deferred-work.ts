import type { Logger } from "pino";

/**
 * Work an operation starts after its answer is decided and does not wait for: the answer's time
 * then cannot depend on it (a password-reset request answers the same, as fast, for an address
 * that has an account and one that has none). A failure is logged, never thrown at anyone.
 * `settled()` lets a test (or shutdown) wait for what is running instead of sleeping.
 */
export class DeferredWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Pick<Logger, "error">) {}

  /** Starts `task` on the next turn of the event loop: after the caller's answer is written. */
  run(what: string, task: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error: unknown) => this.logger.error({ err: error }, `${what} failed`))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once every task started so far, and any they started, has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Metrics } from "../metrics/metrics.js";
import type { OutboxMessage, OutboxSettlement, OutboxStore } from "../store/store.js";
import { decodeMail, MAIL_KIND, type MailMessage } from "./mail-message.js";
import { MailRejectedError, type MailTransport } from "./mail-transport.js";
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from "./retry-policy.js";

export interface DeliveryWorkerOptions {
  store: OutboxStore;
  transport: MailTransport;
  clock: Clock;
  metrics: Metrics;
  logger?: Logger;
  retry?: RetryPolicy;
  /** Messages claimed at a time. Default 10. */
  batchSize?: number;
  /**
   * How long a claim holds. Default 5 min: far above what one send may take (the SMTP transport
   * gives up on a silent server within a minute), so a claim never runs out under a live worker,
   * and a dead worker's messages are sent by another instance that much later.
   */
  leaseMs?: number;
  /** For the retry jitter; default Math.random. */
  random?: () => number;
}

/** What one pass did. */
export interface DeliveryPass {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Sends the outbox's mail: claims due messages (a lease, so no other instance takes them), sends
 * each, and settles it: sent; or, on failure, due again after an exponential back-off with jitter;
 * or, after the last attempt or a permanent refusal, `failed`. A worker that dies mid-pass leaves
 * its claims to run out; any instance's next pass takes them again, so a restart resumes.
 * Time comes from the clock: tests move it and call `deliverDue()`, nothing sleeps.
 */
export class MailDeliveryWorker {
  private readonly retry: RetryPolicy;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly random: () => number;
  private running: Promise<DeliveryPass> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.batchSize = options.batchSize ?? 10;
    this.leaseMs = options.leaseMs ?? 300_000;
    this.random = options.random ?? Math.random;
    if (!Number.isInteger(this.retry.maxAttempts) || this.retry.maxAttempts < 1)
      throw new TypeError("retry.maxAttempts must be a positive integer");
    if (!(this.retry.baseDelayMs > 0) || !(this.retry.maxDelayMs >= this.retry.baseDelayMs))
      throw new TypeError("retry delays must be positive, maxDelayMs at least baseDelayMs");
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new TypeError("batchSize must be a positive integer");
    if (!(this.leaseMs > 0)) throw new TypeError("leaseMs must be positive");
  }

  /**
   * Delivers every message due now, batch after batch, then updates the queued gauge. Calls made
   * while a pass runs share it, and one more pass follows (a message queued meanwhile is not
   * left waiting for the next tick).
   */
  deliverDue(): Promise<DeliveryPass> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    const pass = this.pass().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.deliverDue();
      }
    });
    this.running = pass;
    return pass;
  }

  /** Polls every `intervalMs` (real time) until stopped. */
  start(intervalMs = 5_000): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.deliverDue(), intervalMs);
    this.timer.unref();
    void this.deliverDue();
  }

  /** Stops polling and waits for the pass under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.again = false;
    await this.running;
  }

  private async pass(): Promise<DeliveryPass> {
    const done: DeliveryPass = { sent: 0, retried: 0, failed: 0 };
    const { store, clock, metrics, logger } = this.options;
    try {
      for (;;) {
        const now = clock.now();
        const leaseUntil = now + this.leaseMs;
        const claimed = await store.claimOutbox({
          kind: MAIL_KIND,
          now,
          limit: this.batchSize,
          lease: randomUUID(),
          leaseUntil,
        });
        for (const message of claimed) {
          // A claim is only good while its lease holds: past it, another instance may have taken
          // the message, so what is left of the batch is left to whoever claims it next.
          if (clock.now() >= leaseUntil) break;
          done[await this.deliver(message)] += 1;
        }
        if (claimed.length < this.batchSize) break;
      }
      metrics.mailQueued(await store.countPendingOutbox(MAIL_KIND));
    } catch (error) {
      // The store is unreachable (or the pass failed otherwise): whatever was claimed returns to
      // the queue when its lease runs out; the next pass tries again.
      logger?.warn({ err: error }, "mail delivery pass failed");
    }
    return done;
  }

  private async deliver(message: OutboxMessage): Promise<keyof DeliveryPass> {
    const { store, metrics, logger } = this.options;
    const settlement = await this.attempt(message);
    const settled = await store.settleOutbox(message.id, message.lease, settlement);
    if (!settled)
      logger?.warn(
        { outboxId: message.id },
        "mail delivery settled after its claim ran out: another instance may send it again",
      );
    if (settlement.outcome === "sent") {
      metrics.mail("sent");
      logger?.info({ outboxId: message.id, attempts: message.attempts }, "mail sent");
      return "sent";
    }
    if (settlement.outcome === "failed") {
      metrics.mail("failed");
      logger?.error(
        { outboxId: message.id, attempts: message.attempts, reason: settlement.error },
        "mail given up",
      );
      return "failed";
    }
    metrics.mail("retried");
    logger?.warn(
      { outboxId: message.id, attempts: message.attempts, reason: settlement.error },
      "mail delivery failed, will retry",
    );
    return "retried";
  }

  /** Sends once and says how to settle: a message that cannot be read is given up at once. */
  private async attempt(message: OutboxMessage): Promise<OutboxSettlement> {
    const { transport, clock } = this.options;
    let mail: MailMessage;
    try {
      mail = decodeMail(message.payload);
    } catch (error) {
      return { outcome: "failed", at: clock.now(), error: `unreadable payload: ${String(error)}` };
    }
    try {
      await transport.send({ ...mail, id: message.id });
      return { outcome: "sent", at: clock.now() };
    } catch (error) {
      const at = clock.now();
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof MailRejectedError || message.attempts >= this.retry.maxAttempts)
        return { outcome: "failed", at, error: reason };
      const nextAttemptAt = at + retryDelay(message.attempts, this.retry, this.random);
      return { outcome: "retry", at, error: reason, nextAttemptAt };
    }
  }
}

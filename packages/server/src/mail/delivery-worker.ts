import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Metrics } from "../metrics/metrics.js";
import type { OutboxMessage, OutboxSettlement, OutboxStore } from "../store/store.js";
import { decodeMail, MAIL_KIND } from "./mail-message.js";
import { MailRejectedError, type MailTransport } from "./mail-transport.js";
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from "./retry-policy.js";

/**
 * What delivers one kind of outbox message (mail over SMTP, webhooks over HTTP): the worker
 * claims, retries and settles; the courier only hands one message over.
 */
export interface OutboxCourier {
  /** The outbox kind it delivers; also the metrics' and the log's name for it. */
  readonly kind: "mail" | "webhook";
  /**
   * Delivers once; resolves when the receiving side has accepted. Throws
   * {@link UndeliverableError} when retrying cannot help (a refusal, an unreadable payload),
   * anything else when it may.
   */
  deliver(message: OutboxMessage): Promise<void>;
}

/** The message can never be delivered (refused for good, or unreadable): it is not retried. */
export class UndeliverableError extends Error {
  override readonly name = "UndeliverableError";
}

interface WorkerSettings {
  store: OutboxStore;
  clock: Clock;
  metrics: Metrics;
  logger?: Logger;
  retry?: RetryPolicy;
  /** Messages claimed at a time. Default 10. */
  batchSize?: number;
  /**
   * How long a claim holds. Default 5 min: far above what one send may take (the SMTP transport
   * gives up on a silent server within a minute, a webhook within 10 s), so a claim never runs out
   * under a live worker, and a dead worker's messages are sent by another instance that much later.
   */
  leaseMs?: number;
  /** For the retry jitter; default Math.random. */
  random?: () => number;
}

export interface OutboxWorkerOptions extends WorkerSettings {
  courier: OutboxCourier;
}

export interface DeliveryWorkerOptions extends WorkerSettings {
  transport: MailTransport;
}

/** What one pass did. */
export interface DeliveryPass {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Delivers the outbox's messages of one kind (its courier's): claims due messages (a lease, so no
 * other instance takes them), hands each to the courier, and settles it: sent; or, on failure, due
 * again after an exponential back-off with jitter; or, after the last attempt or a permanent
 * refusal, `failed`. A worker that dies mid-pass leaves
 * its claims to run out; any instance's next pass takes them again, so a restart resumes.
 * Time comes from the clock: tests move it and call `deliverDue()`, nothing sleeps.
 */
export class OutboxDeliveryWorker {
  private readonly retry: RetryPolicy;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly random: () => number;
  private running: Promise<DeliveryPass> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OutboxWorkerOptions) {
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
          kind: this.options.courier.kind,
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
      const { kind } = this.options.courier;
      metrics.outboxQueued(kind, await store.countPendingOutbox(kind));
    } catch (error) {
      // The store is unreachable (or the pass failed otherwise): whatever was claimed returns to
      // the queue when its lease runs out; the next pass tries again.
      logger?.warn({ err: error }, `${this.options.courier.kind} delivery pass failed`);
    }
    return done;
  }

  private async deliver(message: OutboxMessage): Promise<keyof DeliveryPass> {
    const { store, metrics, logger, courier } = this.options;
    const { kind } = courier;
    const settlement = await this.attempt(message);
    const settled = await store.settleOutbox(message.id, message.lease, settlement);
    if (!settled)
      logger?.warn(
        { outboxId: message.id },
        `${kind} delivery settled after its claim ran out: another instance may send it again`,
      );
    if (settlement.outcome === "sent") {
      metrics.outboxDelivery(kind, "sent");
      logger?.info({ outboxId: message.id, attempts: message.attempts }, `${kind} sent`);
      return "sent";
    }
    if (settlement.outcome === "failed") {
      metrics.outboxDelivery(kind, "failed");
      logger?.error(
        { outboxId: message.id, attempts: message.attempts, reason: settlement.error },
        `${kind} given up`,
      );
      return "failed";
    }
    metrics.outboxDelivery(kind, "retried");
    logger?.warn(
      { outboxId: message.id, attempts: message.attempts, reason: settlement.error },
      `${kind} delivery failed, will retry`,
    );
    return "retried";
  }

  /** Delivers once and says how to settle. */
  private async attempt(message: OutboxMessage): Promise<OutboxSettlement> {
    const { courier, clock } = this.options;
    try {
      await courier.deliver(message);
      return { outcome: "sent", at: clock.now() };
    } catch (error) {
      const at = clock.now();
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof UndeliverableError || message.attempts >= this.retry.maxAttempts)
        return { outcome: "failed", at, error: reason };
      const nextAttemptAt = at + retryDelay(message.attempts, this.retry, this.random);
      return { outcome: "retry", at, error: reason, nextAttemptAt };
    }
  }
}

/**
 * Sends the outbox's mail through a transport (SMTP, or the development inbox). A message that
 * cannot be read, or that the server refuses for good (SMTP 5xx), is given up at once.
 */
export class MailDeliveryWorker extends OutboxDeliveryWorker {
  constructor(options: DeliveryWorkerOptions) {
    const { transport, ...settings } = options;
    super({ ...settings, courier: mailCourier(transport) });
  }
}

function mailCourier(transport: MailTransport): OutboxCourier {
  return {
    kind: MAIL_KIND,
    async deliver(message) {
      let mail;
      try {
        mail = decodeMail(message.payload);
      } catch (error) {
        throw new UndeliverableError(`unreadable payload: ${String(error)}`);
      }
      try {
        await transport.send({ ...mail, id: message.id });
      } catch (error) {
        if (error instanceof MailRejectedError) throw new UndeliverableError(error.message);
        throw error;
      }
    },
  };
}

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AuditEvent } from "../audit/audit-log.js";

/**
 * Prometheus metrics of one Baton instance (its own registry, so several instances in one
 * process never collide). Security counters are derived from the audit events, so what is
 * counted is exactly what is recorded.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly logins = new Counter({
    name: "baton_logins_total",
    help: "Password logins by result",
    labelNames: ["result"],
    registers: [this.registry],
  });
  private readonly refreshes = new Counter({
    name: "baton_refreshes_total",
    help: "Refresh requests by outcome",
    labelNames: ["result"],
    registers: [this.registry],
  });
  private readonly graceHits = new Counter({
    name: "baton_refresh_grace_hits_total",
    help: "Refreshes with a just-rotated token inside the grace window",
    registers: [this.registry],
  });
  private readonly recoveries = new Counter({
    name: "baton_refresh_recoveries_total",
    help: "Refreshes with the parent of a never-presented current token after the grace window (a lost answer, then offline): answered with the current token",
    registers: [this.registry],
  });
  private readonly reuse = new Counter({
    name: "baton_refresh_reuse_detections_total",
    help: "Rotated-out refresh tokens replayed after the grace window (session revoked)",
    registers: [this.registry],
  });
  private readonly revocations = new Counter({
    name: "baton_revocations_total",
    help: "Sessions or tokens revoked, by cause",
    labelNames: ["cause"],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: "baton_rate_limited_total",
    help: "Requests answered 429",
    labelNames: ["route"],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "baton_http_request_duration_seconds",
    help: "Auth route latency",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly mailPending = new Gauge({
    name: "baton_mail_queued",
    help: "Mail in the outbox not yet sent nor given up (waiting, retrying or being sent), as of this instance's last delivery pass",
    registers: [this.registry],
  });
  private readonly mailDeliveries = new Counter({
    name: "baton_mail_deliveries_total",
    help: "Mail delivery attempts by this instance, by result: sent, retried (failed, will be tried again), failed (given up)",
    labelNames: ["result"],
    registers: [this.registry],
  });

  private readonly webhookPending = new Gauge({
    name: "baton_webhook_queued",
    help: "Webhooks in the outbox not yet delivered nor given up, as of this instance's last delivery pass",
    registers: [this.registry],
  });
  private readonly webhookDeliveries = new Counter({
    name: "baton_webhook_deliveries_total",
    help: "Webhook delivery attempts by this instance, by result: sent, retried (failed, will be tried again), failed (given up)",
    labelNames: ["result"],
    registers: [this.registry],
  });

  audit(event: AuditEvent): void {
    switch (event.type) {
      case "login.succeeded":
        return void this.logins.inc({ result: "ok" });
      case "login.failed":
        return void this.logins.inc({ result: "failed" });
      case "login.locked":
        return void this.logins.inc({ result: "locked" });
      case "token.refreshed":
        return void this.refreshes.inc({ result: "rotated" });
      case "refresh.grace":
        this.graceHits.inc();
        return void this.refreshes.inc({ result: "grace" });
      case "refresh.recovered":
        this.recoveries.inc();
        return void this.refreshes.inc({ result: "recovered" });
      case "refresh.reused":
        this.reuse.inc();
        this.refreshes.inc({ result: "reused" });
        return void this.revocations.inc({ cause: "reuse" });
      case "session.logout":
        return void this.revocations.inc({ cause: "logout" });
      case "session.revoked":
        return void this.revocations.inc({ cause: "revoked" });
      case "sessions.revoked_all":
        return void this.revocations.inc({ cause: "logout-all" });
      case "token.revoked":
        return void this.revocations.inc({ cause: "token-revoked" });
      case "password.changed":
        return void this.revocations.inc({ cause: "password-changed" });
      case "user.deleted":
        return void this.revocations.inc({ cause: "user-deleted" });
      default:
        return undefined;
    }
  }

  /** One delivery attempt's result (mail/delivery-worker.ts). */
  mail(result: "sent" | "retried" | "failed"): void {
    this.mailDeliveries.inc({ result });
  }

  mailQueued(count: number): void {
    this.mailPending.set(count);
  }

  /** One delivery attempt's result, by outbox kind (mail/delivery-worker.ts). */
  outboxDelivery(kind: "mail" | "webhook", result: "sent" | "retried" | "failed"): void {
    if (kind === "mail") this.mail(result);
    else this.webhookDeliveries.inc({ result });
  }

  outboxQueued(kind: "mail" | "webhook", count: number): void {
    if (kind === "mail") this.mailQueued(count);
    else this.webhookPending.set(count);
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.duration.observe({ method, route, status: String(status) }, seconds);
    if (status === 429) this.rateLimited.inc({ route });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { AuditStore, NewOutboxMessage } from "../store/store.js";

export type AuditEventType =
  | "user.registered"
  | "login.succeeded"
  | "login.failed"
  | "login.locked"
  | "login.new_device"
  | "token.refreshed"
  | "refresh.grace"
  | "refresh.recovered"
  | "refresh.reused"
  | "session.logout"
  | "session.revoked"
  | "sessions.revoked_all"
  | "token.revoked"
  | "password.changed"
  | "password.reset_requested"
  | "password.reset"
  | "password.rehashed"
  | "roles.changed"
  | "user.deleted"
  | "email.verified"
  | "email.verification_sent"
  | "email.change_requested"
  | "email.changed"
  | "email.change_undone";

export interface AuditEvent {
  type: AuditEventType;
  at: number;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Extra facts (reason, roles, email of a failed login). Never a token, password or hash. */
  detail: Record<string, unknown> | null;
}

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/**
 * The outbox messages an event causes (webhooks/webhook-event.ts: the webhook of a security
 * event), written in the audit row's own transaction.
 */
export type AuditOutbox = (event: AuditEvent) => NewOutboxMessage[];

/**
 * Security events, written to the audit table and the structured log. Recording must never turn
 * a completed operation into an error, so a failed write is logged and swallowed. The messages
 * `outboxOf` derives from an event (its webhook) are written with the audit row, in one
 * transaction: a webhook goes out for every stored security event, and only for those.
 */
export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly listener?: (event: AuditEvent) => void,
    private readonly outboxOf: AuditOutbox = () => [],
    /** Wakes the deliverer of what `outboxOf` queued (the webhook worker). */
    private readonly queued: () => void = () => {},
  ) {}

  async record(
    type: AuditEventType,
    meta: RequestMeta | null,
    fields: AuditFields = {},
  ): Promise<void> {
    const event = this.event(type, meta, fields);
    const outbox = this.outboxOf(event);
    try {
      await this.store.appendAudit(event, outbox);
      if (outbox.length > 0) this.queued();
    } catch (error) {
      this.logger.error({ err: error, audit: type }, "audit event not stored");
    }
    this.published(event);
  }

  /**
   * An event for the caller to store inside its own transaction (see `Rotation.audit`); call
   * `published` once that transaction has committed.
   */
  event(type: AuditEventType, meta: RequestMeta | null, fields: AuditFields = {}): AuditEvent {
    return {
      type,
      at: this.clock.now(),
      userId: fields.userId ?? null,
      sessionId: fields.sessionId ?? null,
      ip: meta?.ip ?? null,
      userAgent: meta?.userAgent ?? null,
      detail: fields.detail ?? null,
    };
  }

  /** Logs a stored event and tells the listener. */
  published(event: AuditEvent): void {
    const level =
      event.type === "refresh.reused" || event.type === "login.locked" ? "warn" : "info";
    this.logger[level](
      {
        audit: {
          type: event.type,
          userId: event.userId,
          sessionId: event.sessionId,
          ip: event.ip,
          detail: event.detail,
        },
      },
      event.type,
    );
    this.listener?.(event);
  }
}

interface AuditFields {
  userId?: string | null;
  sessionId?: string | null;
  detail?: Record<string, unknown>;
}

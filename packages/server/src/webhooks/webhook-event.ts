import type { AuditEvent } from "../audit/audit-log.js";
import type { NewOutboxMessage } from "../store/store.js";

/** The outbox kind of webhooks. */
export const WEBHOOK_KIND = "webhook";

/** The security events a webhook receives (docs/webhooks.md documents each payload). */
export type WebhookEventType =
  | "user.created"
  | "session.new_device"
  | "password.changed"
  | "password.reset"
  | "email.changed"
  | "refresh.reuse_detected"
  | "session.revoked";

/**
 * Which audit events are webhook events, and under which name. The audit log is the one place
 * every security event passes, so a flow that audits one of these types sends its webhook
 * without knowing webhooks exist. Logouts are not here: a user ending their own session is not
 * something an application needs to react to. Keyed by audit type names, including those the
 * password-reset and email-change flows record (`password.reset`, `email.changed`).
 */
const WEBHOOK_EVENTS: Readonly<Record<string, WebhookEventType>> = {
  "user.registered": "user.created",
  "login.new_device": "session.new_device",
  "password.changed": "password.changed",
  "password.reset": "password.reset",
  "email.changed": "email.changed",
  "refresh.reused": "refresh.reuse_detected",
  "session.revoked": "session.revoked",
  "sessions.revoked_all": "session.revoked",
};

/** The JSON body of one webhook. */
export interface WebhookPayload {
  /** The outbox id: the same at every retry, so a receiver can drop repeats. */
  id: string;
  type: WebhookEventType;
  /** When the event happened (ISO 8601). */
  createdAt: string;
  data: {
    userId: string | null;
    sessionId: string | null;
    ip: string | null;
    userAgent: string | null;
    /** The audit event's facts (reason, `by`, counts, device); never a token, password or hash. */
    detail: Record<string, unknown> | null;
  };
}

/** The webhook of an audit event, ready for the outbox; none when the event is not one. */
export function webhookMessages(event: AuditEvent, newId: () => string): NewOutboxMessage[] {
  const type = Object.hasOwn(WEBHOOK_EVENTS, event.type) ? WEBHOOK_EVENTS[event.type] : undefined;
  if (type === undefined) return [];
  const id = newId();
  const payload: WebhookPayload = {
    id,
    type,
    createdAt: new Date(event.at).toISOString(),
    data: {
      userId: event.userId,
      sessionId: event.sessionId,
      ip: event.ip,
      userAgent: event.userAgent,
      detail: event.type === "sessions.revoked_all" ? { ...event.detail, all: true } : event.detail,
    },
  };
  return [{ id, kind: WEBHOOK_KIND, payload: JSON.stringify(payload), createdAt: event.at }];
}

import { auditedBy, type Actor } from "../actor.js";
import type { AuditEventType, AuditLog, RequestMeta } from "../audit/audit-log.js";
import type { Clock } from "../clock.js";
import type { BatonConfig } from "../config/options.js";
import type { RevocationStamp } from "../store/store.js";
import type { RevocationFeed } from "./revocation-feed.js";

/** Why sessions or tokens were revoked: stored with a revoked session (`revokedReason`). */
export type RevocationReason =
  | "logout"
  | "logout-all"
  | "revoked-by-user"
  | "token-revoked"
  | "password-changed"
  | "password-reset"
  | "roles-changed"
  | "user-deleted"
  | "refresh-token-reuse"
  | "email-change-undone"
  | "not-me";

/** What the step uses of `Core` (this module sits below core.ts, so it names the parts). */
export interface RevocationParts {
  readonly config: Pick<BatonConfig, "accessTokenTtlMs" | "clockToleranceMs">;
  readonly clock: Clock;
  readonly revocations: Pick<RevocationFeed, "recorded">;
  readonly audit: Pick<AuditLog, "record">;
}

/** One revoking operation, as the step runs it. */
export interface Revocation<Outcome> {
  reason: RevocationReason;
  by: Actor;
  /**
   * The store change: it writes its revocation rows (with `stamp`) in its own transaction, so a
   * revocation is never recorded without its change, nor the other way round.
   */
  change(stamp: RevocationStamp): Promise<Outcome>;
  /** The audit event of what the change did; null when it revoked nothing (nothing to announce). */
  audit(outcome: Outcome): RevocationAudit | null;
}

export interface RevocationAudit {
  type: AuditEventType;
  userId: string | null;
  sessionId: string | null;
  detail?: Record<string, unknown>;
}

/**
 * Every revocation goes through here (logout, logout-all, session and RFC 7009 revocation,
 * password change, role change, user deletion, refresh-token reuse): the store change and its
 * revocation rows, then the denylist of this instance and the announcement to the others
 * (`RevocationFeed.recorded`), then the audit event naming the actor. So no revocation can be
 * left unannounced or unaudited; test/architecture/revocation-step.test.ts checks that every
 * revoking store call is made from a `change` given to this step.
 */
export async function revoke<Outcome>(
  parts: RevocationParts,
  meta: RequestMeta,
  revocation: Revocation<Outcome>,
): Promise<Outcome> {
  const outcome = await revocation.change(revocationStamp(parts, revocation.reason));
  const event = revocation.audit(outcome);
  if (event === null) return outcome;
  await parts.revocations.recorded();
  await parts.audit.record(event.type, meta, {
    userId: event.userId,
    sessionId: event.sessionId,
    detail: { ...event.detail, by: auditedBy(revocation.by) },
  });
  return outcome;
}

/** A change that invalidates access tokens must be remembered until they would have expired. */
function revocationStamp(parts: RevocationParts, reason: RevocationReason): RevocationStamp {
  const now = parts.clock.now();
  return {
    now,
    reason,
    revocationExpiresAt: now + parts.config.accessTokenTtlMs + parts.config.clockToleranceMs,
  };
}

/**
 * Who performs an operation. The operations are the same whoever calls them — the HTTP API, the
 * command line, Baton's own rules — and each checks what its actor may do; the audit trail names
 * the actor (`auditedBy`).
 */
export type Actor = UserActor | AdminActor | CliActor | SystemActor | LinkActor;

/** Who may act on any account: an admin through the API, the command line, Baton's configuration. */
export type Administrator = AdminActor | CliActor | SystemActor;

/** A signed-in user acting on their own account, from one of their sessions. */
export interface UserActor {
  kind: "user";
  userId: string;
  /** The session they act from. */
  sessionId: string;
}

/** An admin acting on any account through the admin API (accounts/admin.ts `adminActor`). */
export interface AdminActor {
  kind: "admin";
  userId: string;
  sessionId: string;
}

/** The operator at the command line. */
export interface CliActor {
  kind: "cli";
}

/**
 * Baton itself: one of its rules (a reused refresh token ends its session) or its configuration
 * (the admin account of `ADMIN_EMAIL`, at startup).
 */
export interface SystemActor {
  kind: "system";
}

/**
 * Whoever holds a single-use link Baton mailed to an address of the account (account-tokens/, of
 * `purpose`: an email change's undo link, a "this wasn't me" link): no session, only the proof of
 * reading that mailbox.
 */
export interface LinkActor {
  kind: "link";
  userId: string;
  purpose: string;
}

/** The holder of a session — of its access token or its refresh token — acting on their account. */
export function userActor(session: { userId: string; sessionId: string }): UserActor {
  return { kind: "user", userId: session.userId, sessionId: session.sessionId };
}

export const CLI_ACTOR: CliActor = { kind: "cli" };
export const SYSTEM_ACTOR: SystemActor = { kind: "system" };

/**
 * How an audit event names its actor (`detail.by`): the session a user acted from (the account
 * is the event's own `userId`), an admin's user id, `"cli"` or `"system"`.
 */
export function auditedBy(actor: Actor): string {
  switch (actor.kind) {
    case "user":
      return actor.sessionId;
    case "admin":
      return actor.userId;
    case "cli":
    case "system":
      return actor.kind;
    case "link":
      return `link:${actor.purpose}`;
  }
}

/** The session the actor acts from; null at the command line and for Baton's own rules. */
export function actingSession(actor: Actor): string | null {
  return actor.kind === "user" || actor.kind === "admin" ? actor.sessionId : null;
}

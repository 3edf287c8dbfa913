/**
 * The storage Baton needs, named after what it does: one role interface per concern, which
 * `Store` joins. A custom store (`BatonOptions.store`) implements them all, and proves it with
 * the conformance suite Baton's SQLite and PostgreSQL stores run: `storeConformance` from
 * `@baton/server/testing` (src/testing/store-conformance.ts). Times are milliseconds since the
 * epoch. A store that cannot reach its database throws StoreUnavailableError (answered as 503).
 */
export interface Store
  extends
    StoreLifecycle,
    UserStore,
    SessionStore,
    RevocationStore,
    SigningKeyStore,
    AuditStore,
    OutboxStore,
    AccountTokenStore,
    EmailAddressStore {}

/** The store itself: health, upkeep, shutdown. */
export interface StoreLifecycle {
  /** Round-trip to the database; throws StoreUnavailableError when it does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Deletes sessions past their expiry (with their tokens) and revocations past theirs. */
  deleteExpired(now: number): Promise<{ sessions: number; revocations: number }>;
}

/**
 * Accounts: creating and reading them. The changes that end sessions or make access tokens stale
 * (password, roles, deletion) are in RevocationStore.
 */
export interface UserStore {
  /**
   * Returns null when the (normalised) email is already registered. `outbox` messages (stores
   * that are an OutboxStore) and `tokens` (mailed secrets of the new user, e.g. the address's
   * verification) are written in the same transaction: none when the user is not created.
   */
  createUser(
    user: NewUser,
    outbox?: NewOutboxMessage[],
    tokens?: NewAccountToken[],
  ): Promise<UserRecord | null>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserById(id: string): Promise<UserRecord | null>;
  listUsers(page: {
    limit: number;
    offset: number;
  }): Promise<{ users: UserRecord[]; total: number }>;
  /**
   * Replaces the password hash with a stronger one of the *same* password (bcrypt or older argon2
   * parameters upgraded at login), only while the credential version is still
   * `credentialVersion`: a password changed meanwhile is never overwritten. The version does not
   * move. Returns whether the hash was replaced.
   */
  rehashPassword(
    userId: string,
    rehash: { passwordHash: string; credentialVersion: number; now: number },
  ): Promise<boolean>;
}

/** Sessions (one per device sign-in) and their refresh tokens. */
export interface SessionStore {
  /**
   * Creates a session with its first refresh token (generation 0) — only if the user still exists
   * and its credential version is still `credentialVersion`, the one the sign-in verified. Returns
   * false, creating nothing, otherwise (the password changed or the user was deleted meanwhile).
   */
  createSession(
    session: NewSession,
    tokenHash: string,
    credentialVersion: number,
    /** Written in the same transaction, only when the session is created (a new-device alert). */
    outbox?: NewOutboxMessage[],
  ): Promise<boolean>;
  /** Finds the session (and user) a refresh token belongs to, current or retired. */
  findByRefreshToken(tokenHash: string): Promise<RefreshTokenMatch | null>;
  /**
   * Atomically retires the session's current token (generation `fromGeneration`) and makes
   * `tokenHash` current as generation `fromGeneration + 1`. Exactly one concurrent caller for a
   * given generation gets true; the others get false and change nothing.
   */
  rotateRefreshToken(rotation: Rotation): Promise<boolean>;
  /**
   * Records that the session's current token (generation `generation`) was handed out again, to
   * a holder of its parent (refresh recovery). Conditional on the session still being live at
   * that generation, so it can never mark a token a racing rotation has already retired.
   * Idempotent: every concurrent caller for the same generation gets true.
   */
  markRedelivered(sessionId: string, generation: number): Promise<boolean>;
  findSession(sessionId: string): Promise<SessionRecord | null>;
  listActiveSessions(userId: string, now: number): Promise<SessionRecord[]>;
}

/**
 * Every change that ends sessions or makes access tokens stale, each in ONE transaction with the
 * revocation rows it records (so a revocation is never lost, nor recorded without its change),
 * and the read of those rows that keeps every instance's denylist up to date. Each change takes
 * a `RevocationStamp` (revocation/revoke.ts makes it).
 */
export interface RevocationStore {
  /**
   * In one transaction: sets the new password hash and raises the credential version — only if
   * it is still `fromCredentialVersion`, the one whose password the caller verified — and revokes
   * every other live session of the user (recorded as revocations). `keepSessionId` (the session
   * asking) must still be live, or nothing changes. No session opened with the old password
   * survives, whatever was in flight (see `createSession`).
   */
  changePassword(change: PasswordChange): Promise<PasswordChangeOutcome>;
  /**
   * A password reset from a mailed token, in ONE transaction: spends the token (only if it is
   * still unused and unexpired at `now`), sets the new password hash and raises the credential
   * version (only while it is still `fromCredentialVersion`, the one the token was issued for),
   * revokes every live session of the user (recorded as revocations), writes `outbox`, and opens
   * `session` (the device that reset signs in). Nothing changes unless all of it does: of two
   * concurrent resets with one token exactly one wins, and a login that verified the old password
   * meanwhile gets no session (see `createSession`).
   */
  resetPassword(reset: PasswordReset): Promise<PasswordResetOutcome>;
  /**
   * Sets the roles and raises the user's token version, recording a revocation so access tokens
   * carrying the old roles stop working everywhere. "last-holder" (nothing changed) when the
   * change would leave no user holding `change.protectedRole` while the user held it.
   */
  setUserRoles(
    userId: string,
    roles: string[],
    change: RevocationStamp & ProtectedRole,
  ): Promise<UserRecord | "not-found" | "last-holder">;
  /**
   * Revokes every session of the user (recorded as revocations), then deletes the user; refused
   * ("last-holder", nothing changed) when the user is the last one holding `change.protectedRole`.
   */
  deleteUser(
    userId: string,
    change: RevocationStamp & ProtectedRole,
  ): Promise<"deleted" | "not-found" | "last-holder">;

  /**
   * Revokes one live session (of `userId` when given) and records the revocation.
   * Returns false when there was no such live session.
   */
  revokeSession(
    sessionId: string,
    change: RevocationStamp & {
      userId?: string;
      /** Written in the same transaction, only when the session is revoked (the reuse mail). */
      outbox?: NewOutboxMessage[];
    },
  ): Promise<boolean>;
  /** Revokes every live session of the user except `exceptSessionId`; returns their ids. */
  revokeUserSessions(
    userId: string,
    change: RevocationStamp & { exceptSessionId?: string },
  ): Promise<string[]>;

  /**
   * "This wasn't me" (accounts/not-me.ts): in one transaction, consumes the account token
   * `tokenId` (only if unused and unexpired at `change.now`) and revokes every live session of
   * `userId` (recorded as revocations); returns their ids. Null, nothing changed, when the token
   * was not consumable (used by a concurrent request, or expired meanwhile).
   */
  revokeUserSessionsByAccountToken(
    userId: string,
    tokenId: string,
    change: RevocationStamp,
  ): Promise<string[] | null>;
  /**
   * Live revocations (expiring after `now`) that the read which returned `since` did not see, and
   * the cursor for the next read; every live one when `since` is null (startup rebuild). Whatever
   * order concurrent transactions commit in, and however long one stays open, a chain of reads
   * returns every revocation (once; a repeat would be harmless, applying one is idempotent).
   */
  listRevocations(since: RevocationCursor | null, now: number): Promise<RevocationPage>;
}

/** Signing keys of the EdDSA key ring; private keys arrive sealed (secrets/seal.ts). */
export interface SigningKeyStore {
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  addSigningKey(key: SigningKeyRecord): Promise<void>;
  retireSigningKey(kid: string, now: number): Promise<void>;
}

/**
 * The outbox: messages (mail today) that leave Baton only after the change that causes them has
 * committed. A change writes its messages in its own transaction (`PasswordChange.outbox`,
 * `createUser`'s second argument), so a rolled-back change sends nothing and a committed one is
 * never lost; a delivery worker (mail/delivery-worker.ts) claims, sends and settles them.
 */
export interface OutboxStore {
  /** Queues messages on their own, for a cause that changes nothing else. */
  enqueueOutbox(messages: NewOutboxMessage[]): Promise<void>;
  /**
   * Claims up to `claim.limit` pending messages of `claim.kind` that are due at `claim.now` (new,
   * waiting for a retry, or whose previous claim's lease ran out), oldest due first: each gets the
   * lease `claim.lease` until `claim.leaseUntil` and one more attempt counted. While a lease holds
   * no other claim returns the message, whichever instance asks and however many at once.
   */
  claimOutbox(claim: OutboxClaim): Promise<OutboxMessage[]>;
  /**
   * Settles a claimed message, only while `lease` is still its lease (false, nothing changed,
   * when the lease ran out and another claim took it). A settled message's payload is dropped:
   * it may hold a secret (a link's token) that must not rest in the table once delivered.
   */
  settleOutbox(id: string, lease: string, settlement: OutboxSettlement): Promise<boolean>;
  /** Messages of `kind` not yet settled (waiting, retrying or claimed). */
  countPendingOutbox(kind: string): Promise<number>;
  /** A message by id, for inspection (tests, an admin view); null when there is none. */
  findOutboxMessage(id: string): Promise<OutboxRecord | null>;
}

/**
 * Single-use secrets mailed to a user (account-tokens/): a link token and a short code, stored only
 * as hashes. At most one live token per user and purpose: issuing one replaces the others, so a
 * newer request invalidates older mail. A flow *consumes* its token inside its own change's
 * transaction (its store method, e.g. a password reset), conditional on the token still being
 * unused and unexpired, so two redemptions of one token can never both succeed.
 */
export interface AccountTokenStore {
  /**
   * In one transaction: deletes the user's unused tokens of `token.purpose`, inserts `token`, and
   * writes `outbox` (the mail that carries it). Nothing when the user is gone (returns false).
   */
  issueAccountToken(token: NewAccountToken, outbox: NewOutboxMessage[]): Promise<boolean>;
  /** The token with this hash, used or not, expired or not; null when there is none. */
  findAccountToken(tokenHash: string): Promise<AccountTokenRecord | null>;
  /** The user's newest token of `purpose` (what a code typed with an email address is checked against). */
  findLatestAccountToken(userId: string, purpose: string): Promise<AccountTokenRecord | null>;
  /**
   * Counts one code guess against the token and returns its count, this guess included: reserved
   * before the code is compared, so concurrent guesses cannot exceed the budget.
   */
  countAccountTokenAttempt(id: string): Promise<number>;
  /** Marks the token used, only if it is unused and unexpired at `now`; false otherwise. */
  consumeAccountToken(id: string, now: number): Promise<boolean>;
}

/**
 * The user's address: verifying it, changing it, undoing a change. Each spends its mailed token
 * (AccountTokenStore) in the same transaction as the change, after locking the user's row (users
 * before tokens, in every one of them: no deadlock), so two redemptions cannot both succeed and
 * a verification racing an undo serialises on the user. The unique email index keeps addresses
 * unique throughout: of two users taking one address, one gets "email-taken" and nothing changes.
 */
export interface EmailAddressStore {
  /**
   * Spends the token and marks `email` verified — only while it is still the user's address (a
   * link mailed to an address the user has since left verifies nothing). "link-spent" when the
   * token is used, expired or replaced, or the address moved; nothing changes then.
   */
  confirmEmail(confirmation: EmailConfirmation): Promise<"verified" | "link-spent">;
  /**
   * Spends the change's token, sets the address to `email` (verified: the token proved it),
   * issues `undoToken` (for the old address) and writes `outbox`, all in one transaction — only
   * while the user's address is still `fromEmail`. Nothing changes on "link-spent" or on
   * "email-taken" (another account holds `newEmail`).
   */
  changeEmail(change: EmailChange): Promise<EmailChangeOutcome>;
  /**
   * Undoes a change: spends the undo token, puts `email` back (verified), deletes the user's
   * unused tokens of `cancelPurposes`, and revokes every session of the user (recorded as
   * revocations), in one transaction. Nothing changes on "link-spent" or "email-taken" (the old
   * address was registered by another account meanwhile).
   */
  restoreEmail(restore: EmailRestore): Promise<EmailRestoreOutcome>;
}

export interface EmailConfirmation {
  userId: string;
  /** The token being spent. */
  tokenId: string;
  /** The address the token was mailed to. */
  email: string;
  now: number;
}

export interface EmailChange extends EmailConfirmation {
  /** The address the user had when the change was confirmed: the undo link's address. */
  fromEmail: string;
  /**
   * The undo token, mailed to `fromEmail`. Older undo tokens stay live (unlike other purposes):
   * an intruder's second change must not kill the owner's undo link of the first.
   */
  undoToken: NewAccountToken;
  /** The notice to the old address (with the undo link), and anything else the change sends. */
  outbox: NewOutboxMessage[];
}

export type EmailChangeOutcome =
  { changed: true } | { changed: false; reason: "link-spent" | "email-taken" };

export interface EmailRestore extends RevocationStamp {
  userId: string;
  tokenId: string;
  /** The address to restore (the one the undo link was mailed to). */
  email: string;
  /**
   * Unused tokens of these purposes are deleted: a change started before the undo dies with it,
   * and so do other undo links (an intruder's second change mailed one to an address they hold).
   */
  cancelPurposes: string[];
}

export type EmailRestoreOutcome =
  | { restored: true; revokedSessionIds: string[] }
  | { restored: false; reason: "link-spent" | "email-taken" };

/** Security events (audit/audit-log.ts). */
export interface AuditStore {
  /** Stores the event; `outbox` (its webhook), when given, in the same transaction. */
  appendAudit(event: AuditRecord, outbox?: NewOutboxMessage[]): Promise<void>;
  /** Newest first; of one user when `userId` is given. */
  listAuditEvents(filter: { userId?: string; limit: number }): Promise<AuditRecord[]>;
}

export interface NewUser {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string;
  roles: string[];
  createdAt: number;
  /** When the address was verified; absent or null: not verified (imports may set it). */
  emailVerifiedAt?: number | null;
}

export interface UserRecord extends NewUser {
  emailVerifiedAt: number | null;
  /** Raised when claims in outstanding access tokens become wrong (roles changed). */
  tokenVersion: number;
  /** Raised when the credential that signs in changes (password change). */
  credentialVersion: number;
  updatedAt: number;
}

export interface PasswordChange extends RevocationStamp {
  userId: string;
  /** Written in the change's own transaction: sent only if the password changed. */
  outbox?: NewOutboxMessage[];
  passwordHash: string;
  /** The credential version whose password the caller verified. */
  fromCredentialVersion: number;
  /** The session that asked: it stays, every other session of the user is revoked. */
  keepSessionId: string;
}

export type PasswordChangeOutcome =
  | { changed: true; revokedSessionIds: string[] }
  /** The password was changed by someone else first, or the user is gone. */
  | { changed: false; reason: "credential-changed" }
  /** The session asking was revoked meanwhile. */
  | { changed: false; reason: "session-ended" };

export interface PasswordReset extends RevocationStamp {
  userId: string;
  /** The account token presented (its id): spent by this change. */
  tokenId: string;
  passwordHash: string;
  /** The credential version the token was issued for: a password changed since voids it. */
  fromCredentialVersion: number;
  /** Written in the reset's own transaction: sent only if the password was reset. */
  outbox?: NewOutboxMessage[];
  /** The session this device signs in with, and the hash of its first refresh token. */
  session: NewSession;
  refreshTokenHash: string;
}

export type PasswordResetOutcome =
  | { reset: true; revokedSessionIds: string[] }
  /** The token was spent, expired or replaced, or the password changed, or the user is gone. */
  | { reset: false };

/** A role at least one user must keep (the admin role: someone must reach the admin API). */
export interface ProtectedRole {
  protectedRole?: string;
}

export interface NewSession {
  id: string;
  userId: string;
  /** Per-session random value mixed into refresh-token derivation. */
  tokenSalt: string;
  createdAt: number;
  expiresAt: number;
  /** Absolute limit: no refresh extends the session past it. */
  maxExpiresAt: number;
  ip: string | null;
  userAgent: string | null;
}

export interface SessionRecord extends NewSession {
  generation: number;
  /**
   * The last generation whose token was handed out by a refresh recovery (see
   * sessions/refresh.ts): once retired, a token of this generation is never recovered again.
   */
  redeliveredGeneration: number | null;
  lastUsedAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
}

export interface RefreshTokenMatch {
  session: SessionRecord;
  user: UserRecord;
  /** Generation of the presented token; equal to `session.generation` when it is current. */
  generation: number;
  /** When the presented token was rotated out; null while it is current. */
  retiredAt: number | null;
}

export interface Rotation {
  sessionId: string;
  fromGeneration: number;
  tokenHash: string;
  now: number;
  expiresAt: number;
  ip: string | null;
  userAgent: string | null;
  /** Written in the rotation's own transaction when it wins: one commit per refresh, not two. */
  audit?: AuditRecord;
}

/** When a change happens, why, and until when access tokens must be checked against it. */
export interface RevocationStamp {
  now: number;
  reason: string;
  /** Latest expiry of any access token the change affects. */
  revocationExpiresAt: number;
}

export interface RevocationRecord {
  id: number;
  /** `session`: every token of session `subject` is revoked; `user`: tokens of user `subject` with `ver < tokenVersion` are stale. */
  kind: "session" | "user";
  subject: string;
  tokenVersion: number | null;
  createdAt: number;
  expiresAt: number;
}

/**
 * Where a reader of the revocations stands: made by the store, opaque to everyone else, handed
 * back on the next read. Not an id: ids are taken in insert order, which need not be commit order.
 */
export type RevocationCursor = string;

export interface RevocationPage {
  /** Oldest first. */
  revocations: RevocationRecord[];
  /** Pass to the next `listRevocations`. */
  cursor: RevocationCursor;
}

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  publicJwk: string;
  /** Private key sealed with the root secret's key-sealing key (secrets/seal.ts). */
  sealedPrivateKey: string;
  createdAt: number;
  retiredAt: number | null;
}

export interface AuditRecord {
  at: number;
  type: string;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown> | null;
}

/** A message for the outbox, delivered after the change that writes it commits. */
export interface NewOutboxMessage {
  /** Unique; also the delivery's idempotency key (mail: its Message-ID). */
  id: string;
  /** Who delivers it: "mail" (mail/delivery-worker.ts). */
  kind: string;
  /** What to deliver, as its deliverer reads it (JSON text). May hold a secret until settled. */
  payload: string;
  createdAt: number;
}

/** A claimed message: `lease` proves the claim when settling it. */
export interface OutboxMessage extends NewOutboxMessage {
  /** Delivery attempts so far, this one included. */
  attempts: number;
  lease: string;
}

export interface OutboxClaim {
  kind: string;
  now: number;
  limit: number;
  /** A fresh random value per claim. */
  lease: string;
  /** Until when the claim holds: longer than a delivery can take (the transport's timeouts). */
  leaseUntil: number;
}

export type OutboxSettlement =
  | { outcome: "sent"; at: number }
  /** Pending again, due at `nextAttemptAt`. */
  | { outcome: "retry"; at: number; nextAttemptAt: number; error: string }
  /** Given up: never claimed again. */
  | { outcome: "failed"; at: number; error: string };

export interface OutboxRecord {
  id: string;
  kind: string;
  status: "pending" | "sent" | "failed";
  /** Null once settled. */
  payload: string | null;
  attempts: number;
  createdAt: number;
  /** When the next claim may take it (pending), or when it was settled. */
  nextAttemptAt: number;
  settledAt: number | null;
  /** The last failed attempt's reason (never a secret: the transport's error message). */
  lastError: string | null;
}

/** What account-tokens/ stores for a mailed link and code. */
export interface NewAccountToken {
  id: string;
  userId: string;
  /** The flow it belongs to: `password-reset`, `email-verification`, `email-change`, … */
  purpose: string;
  /** Keyed hash of the link's token (account-tokens/account-secret.ts). */
  tokenHash: string;
  /** Keyed hash of the short code, salted with the token's id. */
  codeHash: string;
  /** The address it was mailed to (for an email change: the new address). */
  email: string;
  /** The user's credential version when issued: a password change since makes it stale. */
  credentialVersion: number;
  createdAt: number;
  expiresAt: number;
}

export interface AccountTokenRecord extends NewAccountToken {
  /** Code guesses counted so far. */
  attempts: number;
  usedAt: number | null;
}

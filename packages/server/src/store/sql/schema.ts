import type { Generated } from "kysely";

/** Table shapes as Kysely sees them. Times are integer milliseconds since the epoch. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  outbox: OutboxTable;
  account_tokens: AccountTokensTable;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  /** JSON array of role names. */
  roles: string;
  token_version: number;
  /** Raised when the credential that signs in changes (0003_credential_version). */
  credential_version: number;
  created_at: number;
  updated_at: number;
  /** When the address was verified; null when it is not (0008_email_verification). */
  email_verified_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  generation: number;
  token_salt: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  max_expires_at: number;
  ip: string | null;
  user_agent: string | null;
  revoked_at: number | null;
  revoked_reason: string | null;
  /** Migration 0004_refresh_recovery. */
  redelivered_generation: number | null;
}

/** One row per refresh token ever issued to a live session: only its SHA-256 is kept. */
export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  generation: number;
  issued_at: number;
  retired_at: number | null;
}

export interface RevocationsTable {
  id: Generated<number>;
  kind: "session" | "user";
  subject: string;
  token_version: number | null;
  created_at: number;
  expires_at: number;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  sealed_private_key: string;
  created_at: number;
  retired_at: number | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  user_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON object or null. */
  detail: string | null;
}

/** Migration 0005_outbox: messages waiting for (or done with) delivery. */
export interface OutboxTable {
  id: string;
  kind: string;
  status: "pending" | "sent" | "failed";
  /** Null once settled (it may hold a link's token). */
  payload: string | null;
  attempts: number;
  /** The current claim's random value; null while unclaimed. */
  lease: string | null;
  /** Due from then on: a new message, a retry's time, or the end of a claim's lease. */
  next_attempt_at: number;
  created_at: number;
  settled_at: number | null;
  last_error: string | null;
}

/** Migration 0006_account_tokens: mailed single-use secrets, kept as hashes. */
export interface AccountTokensTable {
  id: string;
  user_id: string;
  purpose: string;
  token_hash: string;
  code_hash: string;
  email: string;
  credential_version: number;
  attempts: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

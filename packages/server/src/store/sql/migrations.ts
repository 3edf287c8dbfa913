import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import type { SqlDialectName } from "./dialect.js";

/**
 * Versioned schema migrations, written once with Kysely's schema builder for every dialect.
 * Never edit a released migration: add the next one.
 */
function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const autoId = dialect === "postgres" ? "bigserial" : "integer";
  return {
    "0001_initial": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("users")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("email", "text", (c) => c.notNull().unique())
          .addColumn("name", "text")
          .addColumn("password_hash", "text", (c) => c.notNull())
          .addColumn("roles", "text", (c) => c.notNull())
          .addColumn("token_version", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();

        await db.schema
          .createTable("sessions")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("generation", "integer", (c) => c.notNull())
          .addColumn("token_salt", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("last_used_at", "bigint", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("max_expires_at", "bigint", (c) => c.notNull())
          .addColumn("ip", "text")
          .addColumn("user_agent", "text")
          .addColumn("revoked_at", "bigint")
          .addColumn("revoked_reason", "text")
          .execute();
        await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();
        await db.schema
          .createIndex("sessions_expires_at")
          .on("sessions")
          .column("expires_at")
          .execute();

        await db.schema
          .createTable("refresh_tokens")
          .addColumn("token_hash", "text", (c) => c.primaryKey())
          .addColumn("session_id", "text", (c) =>
            c.notNull().references("sessions.id").onDelete("cascade"),
          )
          .addColumn("generation", "integer", (c) => c.notNull())
          .addColumn("issued_at", "bigint", (c) => c.notNull())
          .addColumn("retired_at", "bigint")
          .execute();
        await db.schema
          .createIndex("refresh_tokens_session_generation")
          .on("refresh_tokens")
          .columns(["session_id", "generation"])
          .unique()
          .execute();

        await db.schema
          .createTable("revocations")
          .addColumn("id", autoId, (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("subject", "text", (c) => c.notNull())
          .addColumn("token_version", "integer")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("revocations_expires_at")
          .on("revocations")
          .column("expires_at")
          .execute();

        await db.schema
          .createTable("signing_keys")
          .addColumn("kid", "text", (c) => c.primaryKey())
          .addColumn("alg", "text", (c) => c.notNull())
          .addColumn("public_jwk", "text", (c) => c.notNull())
          .addColumn("sealed_private_key", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("retired_at", "bigint")
          .execute();

        await db.schema
          .createTable("audit_events")
          .addColumn("id", autoId, (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("at", "bigint", (c) => c.notNull())
          .addColumn("type", "text", (c) => c.notNull())
          .addColumn("user_id", "text")
          .addColumn("session_id", "text")
          .addColumn("ip", "text")
          .addColumn("user_agent", "text")
          .addColumn("detail", "text")
          .execute();
        await db.schema
          .createIndex("audit_events_user_id")
          .on("audit_events")
          .columns(["user_id", "at"])
          .execute();
      },
    },
    // PostgreSQL: each revocation remembers the transaction that wrote it, for the snapshot
    // cursor of revocation-reads.ts (ids do not come in commit order there). Rows written before
    // take the migration's own transaction id; no reader of this version predates them (each
    // reads every live row at startup). SQLite needs nothing: its ids come in commit order.
    "0002_revocation_snapshots": {
      async up(db: Kysely<unknown>) {
        if (dialect !== "postgres") return;
        await requirePostgres13(db);
        await db.schema
          .alterTable("revocations")
          .addColumn("txid", sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
          .execute();
        await db.schema.createIndex("revocations_txid").on("revocations").column("txid").execute();
      },
    },

    "0003_credential_version": {
      async up(db: Kysely<unknown>) {
        // Raised by every change of the credential that signs in (a password change): a session
        // is created only for the version its sign-in verified (sql-store.ts createSession).
        await db.schema
          .alterTable("users")
          .addColumn("credential_version", "integer", (c) => c.notNull().defaultTo(0))
          .execute();

        // Emails are now stored without the trailing dot of a fully qualified domain
        // (`ada@example.com.` is `ada@example.com`, users/user-fields.ts). Rows stored before keep
        // working: each is rewritten to the new spelling unless that spelling is already another
        // account (two accounts of one mailbox cannot be merged by a migration: which password?);
        // such a row keeps its old spelling, reachable by id and listed by the admin API.
        await sql`
          update users set email = substr(email, 1, length(email) - 1)
          where email like '%.' and email not like '%..'
            and not exists (
              select 1 from users as other
              where other.email = substr(users.email, 1, length(users.email) - 1)
            )
        `.execute(db);
      },
    },

    "0004_refresh_recovery": {
      // sessions/refresh.ts: which generation a refresh recovery handed out (null: none yet).
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable("sessions")
          .addColumn("redelivered_generation", "integer")
          .execute();
      },
    },

    "0005_outbox": {
      // Messages written with the change that causes them, delivered by mail/delivery-worker.ts.
      // A claim sets `lease` and moves `next_attempt_at` to the lease's end, so "due" is one
      // condition for new messages, retries and claims whose worker died (lease ran out).
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("outbox")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("payload", "text")
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("lease", "text")
          .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("settled_at", "bigint")
          .addColumn("last_error", "text")
          .execute();
        await db.schema
          .createIndex("outbox_due")
          .on("outbox")
          .columns(["kind", "status", "next_attempt_at"])
          .execute();
      },
    },
    "0006_account_tokens": {
      // Single-use secrets mailed to a user (password reset, email verification, email change):
      // only their hashes are kept, so a database leak hands out no working link or code.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("account_tokens")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("purpose", "text", (c) => c.notNull())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("code_hash", "text", (c) => c.notNull())
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("credential_version", "integer", (c) => c.notNull())
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("used_at", "bigint")
          .execute();
        await db.schema
          .createIndex("account_tokens_user_purpose")
          .on("account_tokens")
          .columns(["user_id", "purpose"])
          .execute();
      },
    },
    "0008_email_verification": {
      // When the user proved they receive mail at their address (null: not yet). Accounts that
      // existed before stay null: optional verification (the default) lets them work as before.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("users").addColumn("email_verified_at", "bigint").execute();
      },
    },
  };
}

/** `xid8` and the `pg_snapshot` functions arrived in PostgreSQL 13. */
async function requirePostgres13(db: Kysely<unknown>): Promise<void> {
  const query = sql<{ number: string; name: string }>`
    select current_setting('server_version_num') as number,
           current_setting('server_version') as name`;
  const [server] = (await query.execute(db)).rows;
  if (server !== undefined && Number(server.number) < 130_000)
    throw new Error(`Baton needs PostgreSQL 13 or later; this server is ${server.name}`);
}

/** Brings the schema up to date; safe to run at every start and from several instances. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(dialect)) };
  // PostgreSQL: keep Kysely's bookkeeping tables in the schema Baton's tables go to (the first
  // of search_path), so databases with several schemas do not see each other's migrations.
  const migrationTableSchema =
    dialect === "postgres"
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error !== undefined || failed) {
    // The reason goes in the message: startup prints only the message (e.g. "needs PostgreSQL 13").
    const reason = error instanceof Error ? `: ${error.message}` : "";
    throw new Error(`Database migration ${failed?.migrationName ?? ""} failed${reason}`, {
      cause: error,
    });
  }
}

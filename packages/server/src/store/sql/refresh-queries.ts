import { CompiledQuery, type Kysely } from "kysely";
import type { Rotation } from "../store.js";
import { prepareQuery, type Param } from "./prepared-query.js";
import type { AuditEventsTable, Database, RefreshTokensTable } from "./schema.js";

/**
 * The statements of a refresh, compiled once per store (see prepared-query.ts): the lookup of the
 * presented token, then the rotation's transaction. A new session's first token and every audit
 * row use the same inserts.
 */
export function refreshQueries(db: Kysely<Database>) {
  return {
    /** One indexed lookup joined to its session and user: the refresh path's only read. */
    findByTokenHash: prepareQuery(db, (db, param: Param<{ tokenHash: string }>) =>
      db
        .selectFrom("refresh_tokens as t")
        .innerJoin("sessions as s", "s.id", "t.session_id")
        .innerJoin("users as u", "u.id", "s.user_id")
        .selectAll("s")
        .select([
          "t.generation as token_generation",
          "t.retired_at as token_retired_at",
          "u.email as user_email",
          "u.name as user_name",
          "u.password_hash as user_password_hash",
          "u.roles as user_roles",
          "u.token_version as user_token_version",
          "u.credential_version as user_credential_version",
          "u.created_at as user_created_at",
          "u.updated_at as user_updated_at",
          "u.email_verified_at as user_email_verified_at",
        ])
        .where("t.token_hash", "=", param("tokenHash")),
    ),

    /** Conditional on the generation: of several racers exactly one updates a row. */
    advanceSession: prepareQuery(
      db,
      (
        db,
        param: Param<{
          sessionId: string;
          fromGeneration: number;
          toGeneration: number;
          now: number;
          expiresAt: number;
          ip: string | null;
          userAgent: string | null;
        }>,
      ) =>
        db
          .updateTable("sessions")
          .set({
            generation: param("toGeneration"),
            last_used_at: param("now"),
            expires_at: param("expiresAt"),
            ip: param("ip"),
            user_agent: param("userAgent"),
          })
          .where("id", "=", param("sessionId"))
          .where("generation", "=", param("fromGeneration"))
          .where("revoked_at", "is", null),
    ),

    /**
     * Refresh recovery (the rare path): conditional on the generation, like `advanceSession`, so
     * a recovery and a rotation of the same session serialise on the row and never both act on a
     * generation that has moved on. Setting the same value twice is harmless: racers all win.
     */
    markRedelivered: prepareQuery(
      db,
      (db, param: Param<{ sessionId: string; generation: number }>) =>
        db
          .updateTable("sessions")
          .set({ redelivered_generation: param("generation") })
          .where("id", "=", param("sessionId"))
          .where("generation", "=", param("generation"))
          .where("revoked_at", "is", null),
    ),

    retireToken: prepareQuery(
      db,
      (db, param: Param<{ sessionId: string; generation: number; now: number }>) =>
        db
          .updateTable("refresh_tokens")
          .set({ retired_at: param("now") })
          .where("session_id", "=", param("sessionId"))
          .where("generation", "=", param("generation")),
    ),

    insertToken: prepareQuery(db, (db, param: Param<RefreshTokensTable>) =>
      db.insertInto("refresh_tokens").values({
        token_hash: param("token_hash"),
        session_id: param("session_id"),
        generation: param("generation"),
        issued_at: param("issued_at"),
        retired_at: param("retired_at"),
      }),
    ),

    insertAudit: prepareQuery(db, (db, param: Param<Omit<AuditEventsTable, "id">>) =>
      db.insertInto("audit_events").values({
        at: param("at"),
        type: param("type"),
        user_id: param("user_id"),
        session_id: param("session_id"),
        ip: param("ip"),
        user_agent: param("user_agent"),
        detail: param("detail"),
      }),
    ),
  };
}

/**
 * PostgreSQL: a whole rotation (advance the session, retire the presented token, insert its
 * successor, write the audit row) as one statement, so one round trip where a transaction took
 * six (begin, four statements, commit). Every guarantee of the transaction holds:
 * - the session UPDATE is the same conditional one (`generation = g`, not revoked): of
 *   concurrent racers exactly one matches (the others wait for its row lock, then find the
 *   generation moved and match nothing, READ COMMITTED);
 * - the other three take their rows from its RETURNING, so a racer that lost, or a revoked
 *   session, writes nothing at all — no token, no audit row;
 * - one statement commits or fails as a whole (autocommit), like the transaction did.
 * Data-modifying CTEs run exactly once each whether or not the final SELECT reads them.
 */
const ROTATION_STATEMENT = `
with advanced as (
  update sessions
     set generation = $3::integer, last_used_at = $4::bigint, expires_at = $5::bigint,
         ip = $6::text, user_agent = $7::text
   where id = $1::text and generation = $2::integer and revoked_at is null
  returning id
), retired as (
  update refresh_tokens set retired_at = $4::bigint
   where session_id in (select id from advanced) and generation = $2::integer
  returning 1
), successor as (
  insert into refresh_tokens (token_hash, session_id, generation, issued_at, retired_at)
  select $8::text, id, $3::integer, $4::bigint, null from advanced
  returning 1
), audited as (
  insert into audit_events (at, type, user_id, session_id, ip, user_agent, detail)
  select $9::bigint, $10::text, $11::text, $12::text, $13::text, $14::text, $15::text
    from advanced where $16::boolean
  returning 1
)
select count(*)::integer as advanced from advanced`;

/** Runs the one-statement rotation; false when another racer (or a revocation) came first. */
export async function rotateInOneStatement(
  db: Pick<Kysely<Database>, "executeQuery">,
  rotation: Rotation,
  audit: Omit<AuditEventsTable, "id"> | undefined,
): Promise<boolean> {
  const result = await db.executeQuery<{ advanced: number }>(
    CompiledQuery.raw(ROTATION_STATEMENT, [
      rotation.sessionId,
      rotation.fromGeneration,
      rotation.fromGeneration + 1,
      rotation.now,
      rotation.expiresAt,
      rotation.ip,
      rotation.userAgent,
      rotation.tokenHash,
      audit?.at ?? null,
      audit?.type ?? null,
      audit?.user_id ?? null,
      audit?.session_id ?? null,
      audit?.ip ?? null,
      audit?.user_agent ?? null,
      audit?.detail ?? null,
      audit !== undefined,
    ]),
  );
  return result.rows[0]?.advanced === 1;
}

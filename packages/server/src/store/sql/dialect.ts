import type { RevocationRead } from "./revocation-reads.js";

export type SqlDialectName = "sqlite" | "postgres";

/** What the SQL store needs to know about a database beyond the SQL itself. */
export interface SqlDialect {
  name: SqlDialectName;
  /** The error is a unique-constraint violation (e.g. an email registered twice). */
  isUniqueViolation(error: unknown): boolean;
  /** The error means the database cannot be reached or used right now (answer 503, retry later). */
  isUnavailable(error: unknown): boolean;
  /** One connection serializes every commit: concurrent rotations should share one (SQLite). */
  groupCommit: boolean;
  /**
   * A statement can update and insert through data-modifying CTEs (PostgreSQL), so a rotation
   * runs as one statement, one round trip (refresh-queries.ts `rotateInOneStatement`).
   */
  oneStatementRotation: boolean;
  /** How a reader of the revocations table knows where it left off (revocation-reads.ts). */
  readRevocations: RevocationRead;
  /**
   * `SELECT … FOR UPDATE / FOR SHARE` exist and are needed: transactions run side by side
   * (PostgreSQL). SQLite runs one writing transaction at a time and has no such clause.
   */
  rowLocks: boolean;
}

import type { Kysely, Selectable, Transaction } from "kysely";
import { StoreUnavailableError } from "../../errors.js";
import type {
  AccountTokenRecord,
  AuditRecord,
  EmailChange,
  EmailChangeOutcome,
  EmailConfirmation,
  EmailRestore,
  EmailRestoreOutcome,
  NewAccountToken,
  NewOutboxMessage,
  NewSession,
  NewUser,
  OutboxClaim,
  OutboxMessage,
  OutboxRecord,
  OutboxSettlement,
  PasswordChange,
  PasswordChangeOutcome,
  PasswordReset,
  PasswordResetOutcome,
  ProtectedRole,
  RefreshTokenMatch,
  RevocationCursor,
  RevocationPage,
  RevocationStamp,
  Rotation,
  SessionRecord,
  SigningKeyRecord,
  Store,
  UserRecord,
} from "../store.js";
import type { SqlDialect } from "./dialect.js";
import { GroupCommit } from "./group-commit.js";
import * as accountTokens from "./account-token-queries.js";
import * as outbox from "./outbox-queries.js";
import { refreshQueries, rotateInOneStatement } from "./refresh-queries.js";
import type { AuditEventsTable, Database, SessionsTable, UsersTable } from "./schema.js";

/**
 * The Store over SQL, written once with Kysely for SQLite and PostgreSQL. Multi-statement changes
 * run in a transaction; rotation is a conditional update so that exactly one racer wins.
 */
export class SqlStore implements Store {
  private closed = false;
  private readonly refreshPath: ReturnType<typeof refreshQueries>;
  /** Concurrent rotations sharing a commit, where the dialect asks for it (group-commit.ts). */
  private readonly rotations: GroupCommit<Database, Rotation, boolean> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    private readonly onClose: () => Promise<void> = () => db.destroy(),
  ) {
    this.refreshPath = refreshQueries(db);
    this.rotations = dialect.groupCommit
      ? new GroupCommit(db, (trx, rotation: Rotation) => this.rotate(trx, rotation))
      : undefined;
  }

  ping(): Promise<void> {
    return this.run(async () => {
      await this.db.selectFrom("users").select("id").limit(1).execute();
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.onClose();
  }

  createUser(
    user: NewUser,
    outboxMessages: NewOutboxMessage[] = [],
    tokens: NewAccountToken[] = [],
  ): Promise<UserRecord | null> {
    return this.run(async () => {
      const row: UsersTable = {
        id: user.id,
        email: user.email,
        name: user.name,
        password_hash: user.passwordHash,
        roles: JSON.stringify(user.roles),
        token_version: 0,
        credential_version: 0,
        created_at: user.createdAt,
        updated_at: user.createdAt,
        email_verified_at: user.emailVerifiedAt ?? null,
      };
      try {
        if (outboxMessages.length === 0 && tokens.length === 0)
          await this.db.insertInto("users").values(row).execute();
        else
          await this.db.transaction().execute(async (trx) => {
            // Messages first: an email already taken rolls them back with the user.
            await outbox.insertOutbox(trx, outboxMessages);
            await trx.insertInto("users").values(row).execute();
            for (const token of tokens) await accountTokens.insertAccountToken(trx, token);
          });
      } catch (error) {
        if (this.dialect.isUniqueViolation(error)) return null;
        throw error;
      }
      return toUser(row);
    });
  }

  findUserByEmail(email: string): Promise<UserRecord | null> {
    return this.run(async () => {
      const row = await this.db
        .selectFrom("users")
        .selectAll()
        .where("email", "=", email)
        .executeTakeFirst();
      return row ? toUser(row) : null;
    });
  }

  findUserById(id: string): Promise<UserRecord | null> {
    return this.run(async () => {
      const row = await this.db
        .selectFrom("users")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      return row ? toUser(row) : null;
    });
  }

  listUsers(page: {
    limit: number;
    offset: number;
  }): Promise<{ users: UserRecord[]; total: number }> {
    return this.run(async () => {
      const rows = await this.db
        .selectFrom("users")
        .selectAll()
        .orderBy("created_at")
        .orderBy("id")
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      const count = await this.db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll<number | string>().as("total"))
        .executeTakeFirstOrThrow();
      return { users: rows.map(toUser), total: Number(count.total) };
    });
  }

  rehashPassword(
    userId: string,
    rehash: { passwordHash: string; credentialVersion: number; now: number },
  ): Promise<boolean> {
    return this.run(async () => {
      const updated = await this.db
        .updateTable("users")
        .set({ password_hash: rehash.passwordHash, updated_at: rehash.now })
        .where("id", "=", userId)
        .where("credential_version", "=", rehash.credentialVersion)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    });
  }

  /**
   * Why no session opened with the old password survives, whatever the interleaving with
   * `createSession` (which reads the user row FOR SHARE before inserting):
   * - the session insert committed before this UPDATE: the revocation below runs after it, in a
   *   later statement (READ COMMITTED: a fresh snapshot each), so it sees and revokes the session;
   * - the insert holds its share lock: this UPDATE waits for it to commit, then as above;
   * - this UPDATE went first: the insert's FOR SHARE waits for this commit, then reads the new
   *   credential version and refuses.
   * On SQLite one writer at a time runs a whole transaction, so only the first and last cases
   * exist. The conditional UPDATE also makes two concurrent changes from one old password
   * exclusive: the second finds the version moved.
   */
  changePassword(change: PasswordChange): Promise<PasswordChangeOutcome> {
    return this.run(async () => {
      try {
        return await this.db.transaction().execute(async (trx) => {
          const updated = await trx
            .updateTable("users")
            .set((eb) => ({
              password_hash: change.passwordHash,
              credential_version: eb("credential_version", "+", 1),
              updated_at: change.now,
            }))
            .where("id", "=", change.userId)
            .where("credential_version", "=", change.fromCredentialVersion)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0)
            return { changed: false, reason: "credential-changed" } as const;
          // Written before the checks that may still roll the change back: they go with it.
          await outbox.insertOutbox(trx, change.outbox ?? []);
          // Locked after the user row, as everywhere (users before sessions: no deadlock); a
          // revocation of this session waits for our commit, or made us roll back.
          const asking = await this.locked(
            trx
              .selectFrom("sessions")
              .select("id")
              .where("id", "=", change.keepSessionId)
              .where("user_id", "=", change.userId)
              .where("revoked_at", "is", null),
            "update",
          ).executeTakeFirst();
          if (asking === undefined) throw new Rollback({ changed: false, reason: "session-ended" });
          const revokedSessionIds = await revokeSessionsWhere(trx, change, {
            userId: change.userId,
            exceptSessionId: change.keepSessionId,
          });
          return { changed: true, revokedSessionIds } as const;
        });
      } catch (error) {
        if (error instanceof Rollback) return error.outcome as PasswordChangeOutcome;
        throw error;
      }
    });
  }

  /**
   * The token is spent first (a conditional UPDATE: of two resets with one token, the second
   * waits for the first's row lock on PostgreSQL, then finds it used), then the password moves
   * exactly as in `changePassword` (conditional on the credential version, so the interleavings
   * with a login described there hold), every session is revoked, and this device's session is
   * opened last, with the new credential version already in place. Any step that finds the world
   * changed rolls all of it back.
   */
  resetPassword(reset: PasswordReset): Promise<PasswordResetOutcome> {
    return this.run(async () => {
      try {
        return await this.db.transaction().execute(async (trx) => {
          if (!(await accountTokens.consumeAccountToken(trx, reset.tokenId, reset.now)))
            throw new Rollback({ reset: false });
          const updated = await trx
            .updateTable("users")
            .set((eb) => ({
              password_hash: reset.passwordHash,
              credential_version: eb("credential_version", "+", 1),
              updated_at: reset.now,
            }))
            .where("id", "=", reset.userId)
            .where("credential_version", "=", reset.fromCredentialVersion)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0) throw new Rollback({ reset: false });
          await outbox.insertOutbox(trx, reset.outbox ?? []);
          const revokedSessionIds = await revokeSessionsWhere(trx, reset, {
            userId: reset.userId,
          });
          await this.insertSession(trx, reset.session, reset.refreshTokenHash);
          return { reset: true, revokedSessionIds } as const;
        });
      } catch (error) {
        if (error instanceof Rollback) return error.outcome as PasswordResetOutcome;
        throw error;
      }
    });
  }

  setUserRoles(
    userId: string,
    roles: string[],
    change: RevocationStamp & ProtectedRole,
  ): Promise<UserRecord | "not-found" | "last-holder"> {
    return this.transaction(async (trx) => {
      const holders = await this.lockUserAndHolders(trx, userId, change.protectedRole);
      if (!holders.userExists) return "not-found";
      if (
        change.protectedRole !== undefined &&
        !roles.includes(change.protectedRole) &&
        holders.isLastHolder
      )
        return "last-holder";
      await trx
        .updateTable("users")
        .set((eb) => ({
          roles: JSON.stringify(roles),
          token_version: eb("token_version", "+", 1),
          updated_at: change.now,
        }))
        .where("id", "=", userId)
        .execute();
      const row = await trx
        .selectFrom("users")
        .selectAll()
        .where("id", "=", userId)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("revocations")
        .values({
          kind: "user",
          subject: userId,
          token_version: Number(row.token_version),
          created_at: change.now,
          expires_at: change.revocationExpiresAt,
        })
        .execute();
      return toUser(row);
    });
  }

  /**
   * The user row is locked before its sessions are read, so a session insert racing the
   * deletion either commits first (and is revoked here, with a revocation recorded) or waits and
   * finds the user gone (createSession); none is left to the foreign key's silent cascade.
   */
  deleteUser(
    userId: string,
    change: RevocationStamp & ProtectedRole,
  ): Promise<"deleted" | "not-found" | "last-holder"> {
    return this.transaction(async (trx) => {
      const holders = await this.lockUserAndHolders(trx, userId, change.protectedRole);
      if (!holders.userExists) return "not-found";
      if (change.protectedRole !== undefined && holders.isLastHolder) return "last-holder";
      await revokeSessionsWhere(trx, change, { userId });
      await trx.deleteFrom("users").where("id", "=", userId).execute();
      return "deleted";
    });
  }

  /**
   * Locks the user's row and, when a role is protected, every row holding that role, in one
   * statement in id order. Two admins removing each other at once (on two instances) thus
   * serialise: the second reads the first one's committed change (READ COMMITTED re-reads a row
   * it waited for) and finds itself the last holder. One statement in one order for every such
   * transaction means no two of them can deadlock. The LIKE on the JSON text only pre-selects
   * (role names cannot contain quotes, so every holder matches); holding is decided exactly below.
   */
  private async lockUserAndHolders(
    trx: Transaction<Database>,
    userId: string,
    protectedRole: string | undefined,
  ): Promise<{ userExists: boolean; isLastHolder: boolean }> {
    let query = trx.selectFrom("users").select(["id", "roles"]);
    query =
      protectedRole === undefined
        ? query.where("id", "=", userId)
        : query.where((eb) =>
            eb.or([
              eb("id", "=", userId),
              eb("roles", "like", `%${JSON.stringify(protectedRole)}%`),
            ]),
          );
    const rows = await this.locked(query.orderBy("id"), "update").execute();
    const holders = rows.filter(
      (row) =>
        protectedRole !== undefined && (JSON.parse(row.roles) as string[]).includes(protectedRole),
    );
    return {
      userExists: rows.some((row) => row.id === userId),
      isLastHolder: holders.length === 1 && holders[0]!.id === userId,
    };
  }

  /**
   * See changePassword for why every interleaving with a password change (or a deletion) ends
   * with no session opened with the old credential: the FOR SHARE lock on the user row is what
   * orders this insert against them on PostgreSQL.
   */
  createSession(
    session: NewSession,
    tokenHash: string,
    credentialVersion: number,
    outboxMessages: NewOutboxMessage[] = [],
  ): Promise<boolean> {
    return this.transaction(async (trx) => {
      const user = await this.locked(
        trx.selectFrom("users").select("credential_version").where("id", "=", session.userId),
        "share",
      ).executeTakeFirst();
      if (user === undefined || Number(user.credential_version) !== credentialVersion) return false;
      await this.insertSession(trx, session, tokenHash);
      await outbox.insertOutbox(trx, outboxMessages);
      return true;
    });
  }

  /** A new session with its first refresh token (generation 0). */
  private async insertSession(
    trx: Transaction<Database>,
    session: NewSession,
    tokenHash: string,
  ): Promise<void> {
    await trx
      .insertInto("sessions")
      .values({
        id: session.id,
        user_id: session.userId,
        generation: 0,
        token_salt: session.tokenSalt,
        created_at: session.createdAt,
        last_used_at: session.createdAt,
        expires_at: session.expiresAt,
        max_expires_at: session.maxExpiresAt,
        ip: session.ip,
        user_agent: session.userAgent,
        revoked_at: null,
        revoked_reason: null,
        redelivered_generation: null,
      })
      .execute();
    await this.refreshPath.insertToken(trx, {
      token_hash: tokenHash,
      session_id: session.id,
      generation: 0,
      issued_at: session.createdAt,
      retired_at: null,
    });
  }

  /**
   * Row locks where the database has them (PostgreSQL). SQLite runs one writing transaction at a
   * time (one connection here; other processes wait on the file lock), so it needs none.
   */
  private locked<Q extends { forUpdate(): Q; forShare(): Q }>(
    query: Q,
    mode: "update" | "share",
  ): Q {
    if (!this.dialect.rowLocks) return query;
    return mode === "update" ? query.forUpdate() : query.forShare();
  }

  findByRefreshToken(tokenHash: string): Promise<RefreshTokenMatch | null> {
    return this.run(async () => {
      const [row] = (await this.refreshPath.findByTokenHash(this.db, { tokenHash })).rows;
      if (!row) return null;
      return {
        session: toSession(row),
        user: toUser({
          id: row.user_id,
          email: row.user_email,
          name: row.user_name,
          password_hash: row.user_password_hash,
          roles: row.user_roles,
          token_version: row.user_token_version,
          credential_version: row.user_credential_version,
          created_at: row.user_created_at,
          updated_at: row.user_updated_at,
          email_verified_at: row.user_email_verified_at,
        }),
        generation: Number(row.token_generation),
        retiredAt: row.token_retired_at === null ? null : Number(row.token_retired_at),
      };
    });
  }

  rotateRefreshToken(rotation: Rotation): Promise<boolean> {
    const rotations = this.rotations;
    if (rotations) return this.run(() => rotations.submit(rotation));
    if (this.dialect.oneStatementRotation)
      return this.run(() =>
        rotateInOneStatement(this.db, rotation, rotation.audit && auditRow(rotation.audit)),
      );
    return this.transaction((trx) => this.rotate(trx, rotation));
  }

  /** Advances the session if it is still at `fromGeneration`; false when another racer did. */
  private async rotate(trx: Transaction<Database>, rotation: Rotation): Promise<boolean> {
    const queries = this.refreshPath;
    const advanced = await queries.advanceSession(trx, {
      sessionId: rotation.sessionId,
      fromGeneration: rotation.fromGeneration,
      toGeneration: rotation.fromGeneration + 1,
      now: rotation.now,
      expiresAt: rotation.expiresAt,
      ip: rotation.ip,
      userAgent: rotation.userAgent,
    });
    if (Number(advanced.numAffectedRows) !== 1) return false;
    await queries.retireToken(trx, {
      sessionId: rotation.sessionId,
      generation: rotation.fromGeneration,
      now: rotation.now,
    });
    await queries.insertToken(trx, {
      token_hash: rotation.tokenHash,
      session_id: rotation.sessionId,
      generation: rotation.fromGeneration + 1,
      issued_at: rotation.now,
      retired_at: null,
    });
    if (rotation.audit !== undefined) await queries.insertAudit(trx, auditRow(rotation.audit));
    return true;
  }

  markRedelivered(sessionId: string, generation: number): Promise<boolean> {
    return this.run(async () => {
      const marked = await this.refreshPath.markRedelivered(this.db, { sessionId, generation });
      return Number(marked.numAffectedRows) === 1;
    });
  }

  findSession(sessionId: string): Promise<SessionRecord | null> {
    return this.run(async () => {
      const row = await this.db
        .selectFrom("sessions")
        .selectAll()
        .where("id", "=", sessionId)
        .executeTakeFirst();
      return row ? toSession(row) : null;
    });
  }

  listActiveSessions(userId: string, now: number): Promise<SessionRecord[]> {
    return this.run(async () => {
      const rows = await this.db
        .selectFrom("sessions")
        .selectAll()
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now)
        .orderBy("last_used_at", "desc")
        .orderBy("id")
        .execute();
      return rows.map(toSession);
    });
  }

  revokeSession(
    sessionId: string,
    change: RevocationStamp & { userId?: string; outbox?: NewOutboxMessage[] },
  ): Promise<boolean> {
    return this.transaction(async (trx) => {
      const ids = await revokeSessionsWhere(trx, change, { sessionId, userId: change.userId });
      if (ids.length > 0) await outbox.insertOutbox(trx, change.outbox ?? []);
      return ids.length > 0;
    });
  }

  revokeUserSessionsByAccountToken(
    userId: string,
    tokenId: string,
    change: RevocationStamp,
  ): Promise<string[] | null> {
    return this.transaction(async (trx) => {
      // The token first: of two concurrent redemptions, the second waits on this row and then
      // finds it used, so it revokes nothing and is told so.
      if (!(await accountTokens.consumeAccountToken(trx, tokenId, change.now))) return null;
      return revokeSessionsWhere(trx, change, { userId });
    });
  }

  revokeUserSessions(
    userId: string,
    change: RevocationStamp & { exceptSessionId?: string },
  ): Promise<string[]> {
    return this.transaction((trx) =>
      revokeSessionsWhere(trx, change, { userId, exceptSessionId: change.exceptSessionId }),
    );
  }

  listRevocations(since: RevocationCursor | null, now: number): Promise<RevocationPage> {
    return this.run(() => this.dialect.readRevocations(this.db, since, now));
  }

  listSigningKeys(): Promise<SigningKeyRecord[]> {
    return this.run(async () => {
      const rows = await this.db
        .selectFrom("signing_keys")
        .selectAll()
        .orderBy("created_at")
        .execute();
      return rows.map((row) => ({
        kid: row.kid,
        alg: row.alg,
        publicJwk: row.public_jwk,
        sealedPrivateKey: row.sealed_private_key,
        createdAt: Number(row.created_at),
        retiredAt: row.retired_at === null ? null : Number(row.retired_at),
      }));
    });
  }

  addSigningKey(key: SigningKeyRecord): Promise<void> {
    return this.run(async () => {
      await this.db
        .insertInto("signing_keys")
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: key.publicJwk,
          sealed_private_key: key.sealedPrivateKey,
          created_at: key.createdAt,
          retired_at: key.retiredAt,
        })
        .execute();
    });
  }

  retireSigningKey(kid: string, now: number): Promise<void> {
    return this.run(async () => {
      await this.db
        .updateTable("signing_keys")
        .set({ retired_at: now })
        .where("kid", "=", kid)
        .where("retired_at", "is", null)
        .execute();
    });
  }

  appendAudit(event: AuditRecord, outboxMessages: NewOutboxMessage[] = []): Promise<void> {
    return this.run(async () => {
      if (outboxMessages.length === 0) {
        await this.refreshPath.insertAudit(this.db, auditRow(event));
        return;
      }
      await this.db.transaction().execute(async (trx) => {
        await this.refreshPath.insertAudit(trx, auditRow(event));
        await outbox.insertOutbox(trx, outboxMessages);
      });
    });
  }

  listAuditEvents(filter: { userId?: string; limit: number }): Promise<AuditRecord[]> {
    return this.run(async () => {
      let query = this.db
        .selectFrom("audit_events")
        .selectAll()
        .orderBy("id", "desc")
        .limit(filter.limit);
      if (filter.userId !== undefined) query = query.where("user_id", "=", filter.userId);
      const rows = await query.execute();
      return rows.map((row) => ({
        at: Number(row.at),
        type: row.type,
        userId: row.user_id,
        sessionId: row.session_id,
        ip: row.ip,
        userAgent: row.user_agent,
        detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
      }));
    });
  }

  deleteExpired(now: number): Promise<{ sessions: number; revocations: number }> {
    return this.transaction(async (trx) => {
      // Tokens first: not every database enforces the cascade (SQLite needs a pragma).
      const expired = trx.selectFrom("sessions").select("id").where("expires_at", "<=", now);
      await trx.deleteFrom("refresh_tokens").where("session_id", "in", expired).execute();
      const sessions = await trx
        .deleteFrom("sessions")
        .where("expires_at", "<=", now)
        .executeTakeFirst();
      const revocations = await trx
        .deleteFrom("revocations")
        .where("expires_at", "<=", now)
        .executeTakeFirst();
      return {
        sessions: Number(sessions.numDeletedRows),
        revocations: Number(revocations.numDeletedRows),
      };
    });
  }

  enqueueOutbox(messages: NewOutboxMessage[]): Promise<void> {
    return this.run(() => outbox.insertOutbox(this.db, messages));
  }

  claimOutbox(claim: OutboxClaim): Promise<OutboxMessage[]> {
    return this.run(() => outbox.claimOutbox(this.db, this.dialect, claim));
  }

  settleOutbox(id: string, lease: string, settlement: OutboxSettlement): Promise<boolean> {
    return this.run(() => outbox.settleOutbox(this.db, id, lease, settlement));
  }

  countPendingOutbox(kind: string): Promise<number> {
    return this.run(() => outbox.countPendingOutbox(this.db, kind));
  }

  findOutboxMessage(id: string): Promise<OutboxRecord | null> {
    return this.run(() => outbox.findOutboxMessage(this.db, id));
  }

  issueAccountToken(token: NewAccountToken, messages: NewOutboxMessage[]): Promise<boolean> {
    return this.transaction(async (trx) => {
      // Locked (FOR SHARE) as in createSession: a deletion of the user racing this waits for our
      // commit (and then deletes the token with the user), or went first and we find no user;
      // unlocked, the insert could meet a user deleted since the read: a foreign-key error.
      const user = await this.locked(
        trx.selectFrom("users").select("id").where("id", "=", token.userId),
        "share",
      ).executeTakeFirst();
      if (user === undefined) return false;
      await accountTokens.insertAccountToken(trx, token);
      await outbox.insertOutbox(trx, messages);
      return true;
    });
  }

  findAccountToken(tokenHash: string): Promise<AccountTokenRecord | null> {
    return this.run(() => accountTokens.findAccountToken(this.db, tokenHash));
  }

  findLatestAccountToken(userId: string, purpose: string): Promise<AccountTokenRecord | null> {
    return this.run(() => accountTokens.findLatestAccountToken(this.db, userId, purpose));
  }

  countAccountTokenAttempt(id: string): Promise<number> {
    return this.run(() => accountTokens.countAccountTokenAttempt(this.db, id));
  }

  consumeAccountToken(id: string, now: number): Promise<boolean> {
    return this.run(() => accountTokens.consumeAccountToken(this.db, id, now));
  }

  // The address changes below check before they write: a refusal returns with nothing written
  // (a spent token changes no row), and the one failure after a write — another account holding
  // the address (the unique index) — throws, rolling the transaction back.

  confirmEmail(confirmation: EmailConfirmation): Promise<"verified" | "link-spent"> {
    const { userId, tokenId, email, now } = confirmation;
    return this.transaction(async (trx) => {
      if ((await this.lockedUserEmail(trx, userId)) !== email) return "link-spent";
      if (!(await accountTokens.consumeAccountToken(trx, tokenId, now))) return "link-spent";
      await trx
        .updateTable("users")
        .set({ email_verified_at: now, updated_at: now })
        .where("id", "=", userId)
        .where("email_verified_at", "is", null)
        .execute();
      return "verified";
    });
  }

  async changeEmail(change: EmailChange): Promise<EmailChangeOutcome> {
    const spent = { changed: false, reason: "link-spent" } as const;
    try {
      return await this.transaction(async (trx) => {
        if ((await this.lockedUserEmail(trx, change.userId)) !== change.fromEmail) return spent;
        if (!(await accountTokens.consumeAccountToken(trx, change.tokenId, change.now)))
          return spent;
        await trx
          .updateTable("users")
          .set({ email: change.email, email_verified_at: change.now, updated_at: change.now })
          .where("id", "=", change.userId)
          .execute();
        await accountTokens.insertAccountToken(trx, change.undoToken, false);
        await outbox.insertOutbox(trx, change.outbox);
        return { changed: true } as const;
      });
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) return { changed: false, reason: "email-taken" };
      throw error;
    }
  }

  async restoreEmail(restore: EmailRestore): Promise<EmailRestoreOutcome> {
    const spent = { restored: false, reason: "link-spent" } as const;
    try {
      return await this.transaction(async (trx) => {
        if ((await this.lockedUserEmail(trx, restore.userId)) === undefined) return spent;
        if (!(await accountTokens.consumeAccountToken(trx, restore.tokenId, restore.now)))
          return spent;
        await trx
          .updateTable("users")
          .set({ email: restore.email, email_verified_at: restore.now, updated_at: restore.now })
          .where("id", "=", restore.userId)
          .execute();
        if (restore.cancelPurposes.length > 0)
          await trx
            .deleteFrom("account_tokens")
            .where("user_id", "=", restore.userId)
            .where("purpose", "in", restore.cancelPurposes)
            .where("used_at", "is", null)
            .execute();
        const revokedSessionIds = await revokeSessionsWhere(trx, restore, {
          userId: restore.userId,
        });
        return { restored: true, revokedSessionIds } as const;
      });
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) return { restored: false, reason: "email-taken" };
      throw error;
    }
  }

  /** The user's address, its row locked for the transaction; undefined when the user is gone. */
  private async lockedUserEmail(
    trx: Transaction<Database>,
    userId: string,
  ): Promise<string | undefined> {
    const row = await this.locked(
      trx.selectFrom("users").select("email").where("id", "=", userId),
      "update",
    ).executeTakeFirst();
    return row?.email;
  }

  /** Runs a query, turning "database not reachable" into StoreUnavailableError. */
  private async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError("The store is closed");
    try {
      return await operation();
    } catch (error) {
      if (this.dialect.isUnavailable(error)) {
        throw new StoreUnavailableError("The database is not available", { cause: error });
      }
      throw error;
    }
  }

  private transaction<T>(body: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.run(() => this.db.transaction().execute(body));
  }
}

/** Thrown inside a transaction to roll it back and answer `outcome` instead. */
class Rollback extends Error {
  constructor(readonly outcome: unknown) {
    super("rolled back");
  }
}

interface SessionMatch {
  sessionId?: string;
  userId?: string;
  exceptSessionId?: string;
}

/** Marks the matching live sessions revoked and records a revocation for each; returns their ids. */
async function revokeSessionsWhere(
  trx: Transaction<Database>,
  change: RevocationStamp,
  match: SessionMatch,
): Promise<string[]> {
  let query = trx.selectFrom("sessions").select("id").where("revoked_at", "is", null);
  if (match.sessionId !== undefined) query = query.where("id", "=", match.sessionId);
  if (match.userId !== undefined) query = query.where("user_id", "=", match.userId);
  if (match.exceptSessionId !== undefined) query = query.where("id", "!=", match.exceptSessionId);
  const ids = (await query.execute()).map((row) => row.id);
  if (ids.length === 0) return [];
  await trx
    .updateTable("sessions")
    .set({ revoked_at: change.now, revoked_reason: change.reason })
    .where("id", "in", ids)
    .execute();
  await trx
    .insertInto("revocations")
    .values(
      ids.map((id) => ({
        kind: "session" as const,
        subject: id,
        token_version: null,
        created_at: change.now,
        expires_at: change.revocationExpiresAt,
      })),
    )
    .execute();
  return ids;
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    roles: JSON.parse(row.roles) as string[],
    tokenVersion: Number(row.token_version),
    credentialVersion: Number(row.credential_version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    emailVerifiedAt: row.email_verified_at === null ? null : Number(row.email_verified_at),
  };
}

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    generation: Number(row.generation),
    tokenSalt: row.token_salt,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
    maxExpiresAt: Number(row.max_expires_at),
    ip: row.ip,
    userAgent: row.user_agent,
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokedReason: row.revoked_reason,
    redeliveredGeneration:
      row.redelivered_generation === null ? null : Number(row.redelivered_generation),
  };
}

function auditRow(event: AuditRecord): Omit<AuditEventsTable, "id"> {
  return {
    at: event.at,
    type: event.type,
    user_id: event.userId,
    session_id: event.sessionId,
    ip: event.ip,
    user_agent: event.userAgent,
    detail: event.detail === null ? null : JSON.stringify(event.detail),
  };
}

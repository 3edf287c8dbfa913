import { StoreUnavailableError } from "../errors.js";
import type { NewSession, RevocationPage, RevocationStamp, Store } from "../store/store.js";
import type { TestApi } from "./test-api.js";
import { T0, testSession, testUser, unique } from "./conformance-fixtures.js";
import { accountTokenConformance } from "./account-token-conformance.js";
import { emailAddressConformance } from "./email-address-conformance.js";
import { outboxConformance } from "./outbox-conformance.js";
import { passwordResetConformance } from "./password-reset-conformance.js";
import { securityEventConformance } from "./security-event-conformance.js";

const stamp = (now: number, reason = "test"): RevocationStamp => ({
  now,
  reason,
  revocationExpiresAt: now + 60_000,
});

/** A revocation written by a transaction that the test keeps open until `commit()`. */
export interface HeldRevocation {
  commit(): Promise<void>;
  /** Other writers commit while it is open (PostgreSQL); SQLite makes them wait. */
  othersCommitMeanwhile: boolean;
}

export interface StoreConformanceOptions {
  /**
   * Where the test can reach the store's database on a connection of its own: starts a
   * transaction that revokes `sessionId` with the rows the store writes (sessions + revocations)
   * and leaves it open.
   */
  holdRevocation?: (store: Store, sessionId: string, now: number) => Promise<HeldRevocation>;
}

const subjects = (page: RevocationPage) => page.revocations.map((r) => r.subject);

/**
 * The contract every Store implementation must meet, as tests for your test runner: Baton's own
 * SQLite and PostgreSQL stores run it, and so can a store of yours (`BatonOptions.store`). Each
 * test opens a store on a fresh, empty database with `open` and closes it afterwards.
 *
 * @param test - the test functions to register the suite with: `import * as vitest from "vitest"`
 *   (or any runner offering vitest's `describe`, `it`, `beforeEach`, `afterEach` and `expect`).
 * @param name - names the suite in the report.
 * @param open - opens a store on a fresh, empty database.
 *
 * @example
 * ```ts
 * // my-store.test.ts, run by vitest
 * import * as vitest from "vitest";
 * import { storeConformance } from "@baton/server/testing";
 * import { openMyStore } from "./my-store.js";
 *
 * storeConformance(vitest, "my store", () => openMyStore({ database: freshDatabase() }));
 * ```
 */
export function storeConformance(
  test: TestApi,
  name: string,
  open: () => Promise<Store>,
  options: StoreConformanceOptions = {},
): void {
  const { describe, it, expect, beforeEach, afterEach } = test;
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    const user = (email?: string) => testUser(store, email === undefined ? {} : { email });
    async function session(
      userId: string,
      overrides: Partial<NewSession> = {},
      tokenHash = unique("hash"),
    ) {
      const record = testSession(userId, { ip: "10.0.0.1", userAgent: "Agent/1", ...overrides });
      expect(await store.createSession(record, tokenHash, 0)).toBe(true);
      return { ...record, tokenHash };
    }
    const newSession = (userId: string) => testSession(userId);
    const passwordChange = (userId: string, keepSessionId: string, fromCredentialVersion = 0) => ({
      ...stamp(T0 + 10, "password-changed"),
      userId,
      passwordHash: "$argon2id$changed",
      fromCredentialVersion,
      keepSessionId,
    });
    /** Live sessions of the user other than `except`. */
    const othersLive = async (userId: string, except: string) =>
      (await store.listActiveSessions(userId, T0)).filter((s) => s.id !== except);

    it("answers ping", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("creates users with unique emails and finds them", async () => {
      const created = await user("ada@example.com");
      expect(created).toMatchObject({
        email: "ada@example.com",
        roles: ["user"],
        tokenVersion: 0,
        createdAt: T0,
      });
      expect(await store.createUser({ ...created, id: unique("other") })).toBeNull();
      expect(await store.findUserByEmail("ada@example.com")).toEqual(created);
      expect(await store.findUserById(created.id)).toEqual(created);
      expect(await store.findUserById("missing")).toBeNull();
      expect(created.credentialVersion).toBe(0);
    });

    it("rehashPassword replaces the hash only while the credential version is unchanged", async () => {
      const created = await user();
      expect(
        await store.rehashPassword(created.id, {
          passwordHash: "$argon2id$stronger",
          credentialVersion: 0,
          now: T0 + 5,
        }),
      ).toBe(true);
      expect(await store.findUserById(created.id)).toMatchObject({
        passwordHash: "$argon2id$stronger",
        credentialVersion: 0,
        updatedAt: T0 + 5,
      });
      const asking = await session(created.id);
      await store.changePassword(passwordChange(created.id, asking.id));
      // A login that read the old hash must not bring the old password back.
      expect(
        await store.rehashPassword(created.id, {
          passwordHash: "$argon2id$old-password-again",
          credentialVersion: 0,
          now: T0 + 20,
        }),
      ).toBe(false);
      expect((await store.findUserById(created.id))?.passwordHash).toBe("$argon2id$changed");
    });

    it("changePassword sets the hash, raises the credential version and revokes every other session, recorded", async () => {
      const owner = await user();
      const asking = await session(owner.id);
      const other = await session(owner.id);
      const outcome = await store.changePassword(passwordChange(owner.id, asking.id));
      expect(outcome).toEqual({ changed: true, revokedSessionIds: [other.id] });
      expect(await store.findUserById(owner.id)).toMatchObject({
        passwordHash: "$argon2id$changed",
        credentialVersion: 1,
        updatedAt: T0 + 10,
      });
      expect(await store.findSession(asking.id)).toMatchObject({ revokedAt: null });
      expect(await store.findSession(other.id)).toMatchObject({
        revokedAt: T0 + 10,
        revokedReason: "password-changed",
      });
      expect((await store.listRevocations(null, T0)).revocations).toContainEqual(
        expect.objectContaining({ kind: "session", subject: other.id }),
      );
    });

    it("changePassword applies only to the credential version the caller verified, and only from a live session", async () => {
      const owner = await user();
      const asking = await session(owner.id);
      const bystander = await session(owner.id);
      expect(await store.changePassword(passwordChange(owner.id, asking.id, 1))).toEqual({
        changed: false,
        reason: "credential-changed",
      });
      await store.revokeSession(asking.id, stamp(T0 + 1));
      expect(await store.changePassword(passwordChange(owner.id, asking.id))).toEqual({
        changed: false,
        reason: "session-ended",
      });
      // Nothing changed: same hash and version, the other session still live.
      expect(await store.findUserById(owner.id)).toMatchObject({
        passwordHash: "$argon2id$x",
        credentialVersion: 0,
      });
      expect(await store.findSession(bystander.id)).toMatchObject({ revokedAt: null });
      expect(await store.changePassword(passwordChange("missing", asking.id))).toEqual({
        changed: false,
        reason: "credential-changed",
      });
    });

    it("createSession refuses a credential version that moved, and a user that is gone", async () => {
      const owner = await user();
      const asking = await session(owner.id);
      await store.changePassword(passwordChange(owner.id, asking.id));
      const stale = newSession(owner.id);
      expect(await store.createSession(stale, unique("hash"), 0)).toBe(false);
      expect(await store.findSession(stale.id)).toBeNull();
      expect(await store.createSession(newSession(owner.id), unique("hash"), 1)).toBe(true);
      const gone = newSession("missing-user");
      expect(await store.createSession(gone, unique("hash"), 0)).toBe(false);
      expect(await store.findSession(gone.id)).toBeNull();
    });

    it("40 session inserts racing a password change: each was refused or is revoked — no session of the old credential survives", async () => {
      const owner = await user();
      const asking = await session(owner.id);
      const inserts = Array.from({ length: 40 }, () => newSession(owner.id));
      const results = await Promise.all([
        ...inserts
          .slice(0, 20)
          .map((s) => store.createSession(s, unique("hash"), 0).then((ok) => ({ ok, id: s.id }))),
        store.changePassword(passwordChange(owner.id, asking.id)),
        ...inserts
          .slice(20)
          .map((s) => store.createSession(s, unique("hash"), 0).then((ok) => ({ ok, id: s.id }))),
      ]);
      expect(results).toContainEqual(expect.objectContaining({ changed: true }));
      expect(await othersLive(owner.id, asking.id)).toEqual([]);
      for (const inserted of inserts) {
        const found = await store.findSession(inserted.id);
        if (found !== null) expect(found.revokedReason).toBe("password-changed");
      }
    });

    it("40 session inserts racing the deletion of their user: refused or revoked, never a foreign-key error", async () => {
      const owner = await user();
      const inserts = Array.from({ length: 40 }, () => newSession(owner.id));
      const created = inserts.map((s) => store.createSession(s, unique("hash"), 0));
      const deleted = store.deleteUser(owner.id, stamp(T0 + 1));
      await expect(Promise.all(created)).resolves.toBeDefined();
      expect(await deleted).toBe("deleted");
      const revoked = new Set(
        (await store.listRevocations(null, T0)).revocations.map((revocation) => revocation.subject),
      );
      const results = await Promise.all(created);
      inserts.forEach((inserted, i) => {
        // A session that was created before the deletion has its revocation recorded.
        if (results[i]) expect(revoked.has(inserted.id), inserted.id).toBe(true);
      });
      expect(await store.listActiveSessions(owner.id, T0)).toEqual([]);
    });

    it("lists users a page at a time with the total", async () => {
      for (let i = 0; i < 5; i++) await user(`p${i}@example.com`);
      const page = await store.listUsers({ limit: 2, offset: 2 });
      expect(page.total).toBe(5);
      expect(page.users).toHaveLength(2);
      const all = await store.listUsers({ limit: 10, offset: 0 });
      expect(all.users.slice(2, 4).map((u) => u.id)).toEqual(page.users.map((u) => u.id));
    });

    it("setUserRoles raises the token version and records a user revocation", async () => {
      const created = await user();
      const updated = await store.setUserRoles(created.id, ["user", "staff"], stamp(T0 + 1));
      expect(updated).toMatchObject({ roles: ["user", "staff"], tokenVersion: 1 });
      const { revocations } = await store.listRevocations(null, T0 + 1);
      expect(revocations).toContainEqual(
        expect.objectContaining({
          kind: "user",
          subject: created.id,
          tokenVersion: 1,
          expiresAt: T0 + 60_001,
        }),
      );
      expect(await store.setUserRoles("missing", [], stamp(T0))).toBe("not-found");
    });

    it("a protected role keeps one holder: its last holder can be neither demoted nor deleted", async () => {
      // Each test has a fresh, empty database: these two are the only holders.
      const first = await user();
      const second = await user();
      const guard = (now: number) => ({ ...stamp(now), protectedRole: "admin" });
      await store.setUserRoles(first.id, ["admin"], guard(T0));
      await store.setUserRoles(second.id, ["admin", "user"], guard(T0));
      expect(await store.setUserRoles(first.id, ["user"], guard(T0 + 1))).toMatchObject({
        roles: ["user"],
      });
      expect(await store.setUserRoles(second.id, ["user"], guard(T0 + 2))).toBe("last-holder");
      expect(await store.deleteUser(second.id, guard(T0 + 2))).toBe("last-holder");
      expect(await store.findUserById(second.id)).toMatchObject({
        roles: ["admin", "user"],
        tokenVersion: 1,
      });
      // Changing the last holder's other roles is fine; so is any change without the guard.
      expect(await store.setUserRoles(second.id, ["admin"], guard(T0 + 3))).toMatchObject({
        roles: ["admin"],
      });
      expect(await store.deleteUser("missing", guard(T0 + 3))).toBe("not-found");
      expect(await store.setUserRoles(second.id, [], stamp(T0 + 4))).toMatchObject({ roles: [] });
    });

    it("two holders of a protected role removing each other at once: exactly one wins, one holder is left", async () => {
      for (const [left, right] of [
        ["demote", "demote"],
        ["delete", "delete"],
        ["demote", "delete"],
      ] as const) {
        const holders = [await user(), await user()];
        for (const holder of holders) await store.setUserRoles(holder.id, ["admin"], stamp(T0));
        const guard = { ...stamp(T0 + 1), protectedRole: "admin" };
        const remove = (kind: "demote" | "delete", id: string) =>
          kind === "demote" ? store.setUserRoles(id, ["user"], guard) : store.deleteUser(id, guard);
        const outcomes = await Promise.all([
          remove(left, holders[0]!.id),
          remove(right, holders[1]!.id),
        ]);
        expect(
          outcomes.filter((outcome) => outcome === "last-holder"),
          left + right,
        ).toHaveLength(1);
        const page = await store.listUsers({ limit: 100, offset: 0 });
        expect(page.users.filter((u) => u.roles.includes("admin"))).toHaveLength(1);
        // Leave no holder behind for the next pair.
        for (const holder of holders) await store.setUserRoles(holder.id, [], stamp(T0 + 2));
      }
    });

    it("finds a session by the hash of its current token", async () => {
      const owner = await user();
      const created = await session(owner.id);
      const match = await store.findByRefreshToken(created.tokenHash);
      expect(match).toMatchObject({ generation: 0, retiredAt: null, user: { id: owner.id } });
      expect(match?.session).toMatchObject({
        id: created.id,
        generation: 0,
        lastUsedAt: T0,
        revokedAt: null,
        ip: "10.0.0.1",
        userAgent: "Agent/1",
      });
      expect(await store.findByRefreshToken("unknown")).toBeNull();
    });

    it("rotates: the old token is retired at that time, the new one is current", async () => {
      const owner = await user();
      const created = await session(owner.id);
      const rotation = {
        sessionId: created.id,
        fromGeneration: 0,
        tokenHash: "next",
        now: T0 + 100,
        expiresAt: T0 + 200,
        ip: "10.0.0.2",
        userAgent: "Agent/2",
      };
      expect(await store.rotateRefreshToken(rotation)).toBe(true);
      expect(await store.rotateRefreshToken({ ...rotation, tokenHash: "other" })).toBe(false);
      expect(await store.findByRefreshToken("other")).toBeNull();
      const old = await store.findByRefreshToken(created.tokenHash);
      expect(old).toMatchObject({ generation: 0, retiredAt: T0 + 100 });
      expect(old?.session).toMatchObject({
        generation: 1,
        lastUsedAt: T0 + 100,
        expiresAt: T0 + 200,
        ip: "10.0.0.2",
        userAgent: "Agent/2",
      });
      expect(await store.findByRefreshToken("next")).toMatchObject({
        generation: 1,
        retiredAt: null,
      });
    });

    it("stores a rotation's audit event only when the rotation wins", async () => {
      const owner = await user();
      const created = await session(owner.id);
      const audit = (generation: number) => ({
        at: T0 + 100,
        type: "token.refreshed",
        userId: owner.id,
        sessionId: created.id,
        ip: "10.0.0.2",
        userAgent: "Agent/2",
        detail: { generation },
      });
      const rotation = {
        sessionId: created.id,
        fromGeneration: 0,
        tokenHash: "next-audited",
        now: T0 + 100,
        expiresAt: T0 + 200,
        ip: "10.0.0.2",
        userAgent: "Agent/2",
      };
      expect(await store.rotateRefreshToken({ ...rotation, audit: audit(1) })).toBe(true);
      expect(
        await store.rotateRefreshToken({ ...rotation, tokenHash: "lost", audit: audit(2) }),
      ).toBe(false);
      const events = await store.listAuditEvents({ userId: owner.id, limit: 10 });
      expect(events).toEqual([audit(1)]);
    });

    it("exactly one of many concurrent rotations of one generation wins", async () => {
      const owner = await user();
      const created = await session(owner.id);
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          store.rotateRefreshToken({
            sessionId: created.id,
            fromGeneration: 0,
            tokenHash: `racer-${i}`,
            now: T0 + 1,
            expiresAt: T0 + 2,
            ip: null,
            userAgent: null,
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.findSession(created.id))?.generation).toBe(1);
    });

    it("marks the current generation redelivered only while the session is live at it; racers all succeed", async () => {
      const owner = await user();
      const created = await session(owner.id);
      expect((await store.findSession(created.id))?.redeliveredGeneration).toBeNull();
      const rotation = {
        sessionId: created.id,
        fromGeneration: 0,
        tokenHash: unique("next"),
        now: T0 + 100,
        expiresAt: T0 + 200,
        ip: null,
        userAgent: null,
      };
      expect(await store.rotateRefreshToken(rotation)).toBe(true);
      expect(await store.markRedelivered(created.id, 0)).toBe(false); // generation moved on
      const racers = await Promise.all(
        Array.from({ length: 10 }, () => store.markRedelivered(created.id, 1)),
      );
      expect(racers).toEqual(Array(10).fill(true));
      const match = await store.findByRefreshToken(created.tokenHash);
      expect(match?.session).toMatchObject({ generation: 1, redeliveredGeneration: 1 });
      // A later rotation keeps the mark: it names the generation that was handed out twice.
      expect(
        await store.rotateRefreshToken({ ...rotation, fromGeneration: 1, tokenHash: unique("n") }),
      ).toBe(true);
      expect((await store.findSession(created.id))?.redeliveredGeneration).toBe(1);
      await store.revokeSession(created.id, stamp(T0 + 300));
      expect(await store.markRedelivered(created.id, 2)).toBe(false); // revoked
      expect(await store.markRedelivered("missing", 0)).toBe(false);
    });

    it("revokes one session (of its owner only), recording a revocation; revoked sessions do not rotate", async () => {
      const owner = await user();
      const stranger = await user();
      const created = await session(owner.id);
      expect(await store.revokeSession(created.id, { ...stamp(T0 + 5), userId: stranger.id })).toBe(
        false,
      );
      expect(
        await store.revokeSession(created.id, { ...stamp(T0 + 5, "logout"), userId: owner.id }),
      ).toBe(true);
      expect(await store.revokeSession(created.id, stamp(T0 + 6))).toBe(false);
      expect(await store.findSession(created.id)).toMatchObject({
        revokedAt: T0 + 5,
        revokedReason: "logout",
      });
      expect(
        await store.rotateRefreshToken({
          sessionId: created.id,
          fromGeneration: 0,
          tokenHash: "x",
          now: T0 + 7,
          expiresAt: T0 + 8,
          ip: null,
          userAgent: null,
        }),
      ).toBe(false);
      expect((await store.listRevocations(null, T0)).revocations).toContainEqual(
        expect.objectContaining({ kind: "session", subject: created.id, tokenVersion: null }),
      );
    });

    it("revokes all of a user's sessions except one and lists only live sessions, newest use first", async () => {
      const owner = await user();
      const a = await session(owner.id, { createdAt: T0 });
      const b = await session(owner.id, { createdAt: T0 + 10 });
      const expired = await session(owner.id, { expiresAt: T0 + 1 });
      const c = await session(owner.id, { createdAt: T0 + 5 });
      expect((await store.listActiveSessions(owner.id, T0 + 2)).map((s) => s.id)).toEqual([
        b.id,
        c.id,
        a.id,
      ]);
      const revoked = await store.revokeUserSessions(owner.id, {
        ...stamp(T0 + 3),
        exceptSessionId: b.id,
      });
      expect(revoked.sort()).toEqual([a.id, c.id, expired.id].sort());
      expect((await store.listActiveSessions(owner.id, T0 + 3)).map((s) => s.id)).toEqual([b.id]);
    });

    it("reads every live revocation, then from the cursor only new ones, oldest first, without expired ones", async () => {
      const owner = await user();
      const [a, b, c, d] = [
        await session(owner.id),
        await session(owner.id),
        await session(owner.id),
        await session(owner.id),
      ];
      const empty = await store.listRevocations(null, T0);
      expect(empty.revocations).toEqual([]);
      await store.revokeSession(a.id, { now: T0, reason: "x", revocationExpiresAt: T0 + 10 });
      await store.revokeSession(b.id, { now: T0, reason: "x", revocationExpiresAt: T0 + 1000 });
      const first = await store.listRevocations(empty.cursor, T0);
      expect(subjects(first)).toEqual([a.id, b.id]);
      expect(subjects(await store.listRevocations(null, T0))).toEqual([a.id, b.id]);
      expect(subjects(await store.listRevocations(null, T0 + 10))).toEqual([b.id]);

      const nothingNew = await store.listRevocations(first.cursor, T0);
      expect(nothingNew.revocations).toEqual([]);
      await store.revokeSession(c.id, { now: T0, reason: "x", revocationExpiresAt: T0 + 1000 });
      await store.revokeUserSessions(owner.id, stamp(T0));
      const next = await store.listRevocations(nothingNew.cursor, T0);
      expect(subjects(next)).toEqual([c.id, d.id]);
      expect(next.revocations[0]).toMatchObject({ kind: "session", expiresAt: T0 + 1000 });
      expect((await store.listRevocations(next.cursor, T0)).revocations).toEqual([]);
      // A cursor can be read from again (a read that failed half-way is simply repeated).
      expect(subjects(await store.listRevocations(nothingNew.cursor, T0))).toEqual([c.id, d.id]);
    });

    if (options.holdRevocation !== undefined)
      it("a revocation committed late (after later ones were committed and read) is still returned, once", async () => {
        const owner = await user();
        const [held, later, after] = [
          await session(owner.id),
          await session(owner.id),
          await session(owner.id),
        ];
        let page = await store.listRevocations(null, T0);
        const open = await options.holdRevocation!(store, held.id, T0);
        try {
          if (open.othersCommitMeanwhile) await store.revokeSession(later.id, stamp(T0));
          page = await store.listRevocations(page.cursor, T0);
          expect(subjects(page)).toEqual(open.othersCommitMeanwhile ? [later.id] : []);
          page = await store.listRevocations(page.cursor, T0);
          expect(subjects(page)).toEqual([]);
        } finally {
          await open.commit();
        }
        page = await store.listRevocations(page.cursor, T0);
        expect(subjects(page)).toEqual([held.id]);
        if (open.othersCommitMeanwhile) {
          // It really committed out of id order: its id is below the one read before it.
          const all = (await store.listRevocations(null, T0)).revocations;
          expect(all.map((r) => r.subject)).toEqual([held.id, later.id]);
        }
        await store.revokeSession(after.id, stamp(T0));
        page = await store.listRevocations(page.cursor, T0);
        expect(subjects(page)).toEqual([after.id]);
        expect((await store.listRevocations(page.cursor, T0)).revocations).toEqual([]);
      });

    it("deletes a user with every session, recording their revocation", async () => {
      const owner = await user();
      const created = await session(owner.id);
      expect(await store.deleteUser(owner.id, stamp(T0 + 1))).toBe("deleted");
      expect(await store.findUserById(owner.id)).toBeNull();
      expect(await store.findByRefreshToken(created.tokenHash)).toBeNull();
      expect((await store.listRevocations(null, T0)).revocations).toContainEqual(
        expect.objectContaining({ kind: "session", subject: created.id }),
      );
      expect(await store.deleteUser(owner.id, stamp(T0 + 2))).toBe("not-found");
    });

    it("keeps signing keys and retires them", async () => {
      await store.addSigningKey({
        kid: "k1",
        alg: "EdDSA",
        publicJwk: "{}",
        sealedPrivateKey: "v1.a.b.c",
        createdAt: T0,
        retiredAt: null,
      });
      await store.addSigningKey({
        kid: "k2",
        alg: "EdDSA",
        publicJwk: "{}",
        sealedPrivateKey: "v1.a.b.c",
        createdAt: T0 + 1,
        retiredAt: null,
      });
      await store.retireSigningKey("k1", T0 + 2);
      expect(await store.listSigningKeys()).toEqual([
        expect.objectContaining({ kid: "k1", retiredAt: T0 + 2 }),
        expect.objectContaining({ kid: "k2", retiredAt: null }),
      ]);
    });

    it("appends audit events and lists them newest first", async () => {
      await store.appendAudit({
        at: T0,
        type: "login.failed",
        userId: null,
        sessionId: null,
        ip: "1.2.3.4",
        userAgent: null,
        detail: { email: "x@example.com" },
      });
      await store.appendAudit({
        at: T0 + 1,
        type: "login.succeeded",
        userId: "u1",
        sessionId: "s1",
        ip: null,
        userAgent: "UA",
        detail: null,
      });
      const events = await store.listAuditEvents({ limit: 10 });
      expect(events.map((e) => e.type)).toEqual(["login.succeeded", "login.failed"]);
      expect(events[1]?.detail).toEqual({ email: "x@example.com" });
      expect(await store.listAuditEvents({ userId: "u1", limit: 10 })).toHaveLength(1);
    });

    it("purges expired sessions with their tokens, and expired revocations", async () => {
      const owner = await user();
      const old = await session(owner.id, { expiresAt: T0 + 5 });
      const live = await session(owner.id);
      await store.revokeSession(live.id, { now: T0, reason: "x", revocationExpiresAt: T0 + 5 });
      expect(await store.deleteExpired(T0 + 10)).toEqual({ sessions: 1, revocations: 1 });
      expect(await store.findByRefreshToken(old.tokenHash)).toBeNull();
      expect(await store.findSession(live.id)).not.toBeNull();
    });

    it("reports StoreUnavailableError once closed", async () => {
      await store.close();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.findUserById("x")).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
  // The roles with suites of their own: a store meets the whole contract or none of it.
  outboxConformance(test, name, open);
  accountTokenConformance(test, name, open);
  passwordResetConformance(test, name, open);
  emailAddressConformance(test, name, open);
  securityEventConformance(test, name, open);
}

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  StoreUnavailableError,
  type NewSession,
  type RevocationStamp,
  type Store,
} from "@baton/server";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const stamp = (now: number, reason = "test"): RevocationStamp => ({
  now,
  reason,
  revocationExpiresAt: now + 60_000,
});
let counter = 0;
const unique = (prefix: string) =>
  `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * The contract every Store implementation must meet. Run it against a fresh, empty database:
 * `storeConformance("sqlite", () => openSqliteStore(":memory:"))`.
 */
export function storeConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    async function user(email = `${unique("u")}@example.com`) {
      const created = await store.createUser({
        id: unique("user"),
        email,
        name: null,
        passwordHash: "$argon2id$x",
        roles: ["user"],
        createdAt: T0,
      });
      if (created === null) throw new Error("user not created");
      return created;
    }
    async function session(
      userId: string,
      overrides: Partial<NewSession> = {},
      tokenHash = unique("hash"),
    ) {
      const record: NewSession = {
        id: unique("sess"),
        userId,
        tokenSalt: "salt",
        createdAt: T0,
        expiresAt: T0 + 86_400_000,
        maxExpiresAt: T0 + 10 * 86_400_000,
        ip: "10.0.0.1",
        userAgent: "Agent/1",
        ...overrides,
      };
      await store.createSession(record, tokenHash);
      return { ...record, tokenHash };
    }

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
      await store.updatePasswordHash(created.id, "$argon2id$new", T0 + 5);
      expect(await store.findUserById(created.id)).toMatchObject({
        passwordHash: "$argon2id$new",
        updatedAt: T0 + 5,
      });
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
      const revocations = await store.listRevocations(0, T0 + 1);
      expect(revocations).toContainEqual(
        expect.objectContaining({
          kind: "user",
          subject: created.id,
          tokenVersion: 1,
          expiresAt: T0 + 60_001,
        }),
      );
      expect(await store.setUserRoles("missing", [], stamp(T0))).toBeNull();
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
      expect(await store.listRevocations(0, T0)).toContainEqual(
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

    it("lists revocations after an id, oldest first, without expired ones", async () => {
      const owner = await user();
      const a = await session(owner.id);
      const b = await session(owner.id);
      await store.revokeSession(a.id, { now: T0, reason: "x", revocationExpiresAt: T0 + 10 });
      await store.revokeSession(b.id, { now: T0, reason: "x", revocationExpiresAt: T0 + 1000 });
      const all = await store.listRevocations(0, T0);
      expect(all.map((r) => r.subject)).toEqual([a.id, b.id]);
      expect((await store.listRevocations(all[0]!.id, T0)).map((r) => r.subject)).toEqual([b.id]);
      expect((await store.listRevocations(0, T0 + 10)).map((r) => r.subject)).toEqual([b.id]);
    });

    it("deletes a user with every session, recording their revocation", async () => {
      const owner = await user();
      const created = await session(owner.id);
      expect(await store.deleteUser(owner.id, stamp(T0 + 1))).toBe(true);
      expect(await store.findUserById(owner.id)).toBeNull();
      expect(await store.findByRefreshToken(created.tokenHash)).toBeNull();
      expect(await store.listRevocations(0, T0)).toContainEqual(
        expect.objectContaining({ kind: "session", subject: created.id }),
      );
      expect(await store.deleteUser(owner.id, stamp(T0 + 2))).toBe(false);
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
}

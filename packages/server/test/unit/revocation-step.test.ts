import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, type AuditEvent, type Store } from "@baton/server";
import { CLI_ACTOR, SYSTEM_ACTOR, auditedBy, userActor } from "../../src/actor.js";
import { AuditLog } from "../../src/audit/audit-log.js";
import type { ClusterBus, ClusterEvent } from "../../src/cluster/cluster-bus.js";
import { Denylist } from "../../src/revocation/denylist.js";
import { RevocationFeed } from "../../src/revocation/revocation-feed.js";
import { revoke, type RevocationParts } from "../../src/revocation/revoke.js";
import { ManualClock } from "../support/manual-clock.js";

// The one step every revocation goes through (revocation/revoke.ts), over a real SQLite store,
// the real revocation feed and audit log; the bus records what this instance announces.

const META = { ip: "203.0.113.9", userAgent: "Agent/1" };

describe("revoke(): store change, denylist, announcement, audit", () => {
  let store: Store;
  let parts: RevocationParts;
  let denylist: Denylist;
  let announced: ClusterEvent[];
  let audited: AuditEvent[];
  const clock = new ManualClock();

  beforeEach(async () => {
    store = await openStore("sqlite::memory:");
    denylist = new Denylist();
    announced = [];
    audited = [];
    const bus: ClusterBus = {
      publish: (event) => Promise.resolve(void announced.push(event)),
      subscribe: () => undefined,
      close: () => Promise.resolve(),
    };
    const logger = pino({ enabled: false });
    const revocations = new RevocationFeed(store, denylist, clock, bus, logger);
    await revocations.catchUp();
    parts = {
      config: { accessTokenTtlMs: 60_000, clockToleranceMs: 5_000 },
      clock,
      revocations,
      audit: new AuditLog(store, logger, clock, (event) => audited.push(event)),
    };
  });
  afterEach(() => store.close());

  async function liveSession() {
    const user = await store.createUser({
      id: "u1",
      email: "ada@example.com",
      name: null,
      passwordHash: "$argon2id$x",
      roles: ["user"],
      createdAt: clock.now(),
    });
    const session = {
      id: "s1",
      userId: "u1",
      tokenSalt: "salt",
      createdAt: clock.now(),
      expiresAt: clock.now() + 86_400_000,
      maxExpiresAt: clock.now() + 86_400_000,
      ip: null,
      userAgent: null,
    };
    expect(user).not.toBeNull();
    expect(await store.createSession(session, "hash", 0)).toBe(true);
    return session;
  }

  it("runs the change with a stamp that outlives the access tokens, applies it here, announces it, audits it with its actor", async () => {
    const session = await liveSession();
    const by = userActor({ userId: "u1", sessionId: "s1" });
    const outcome = await revoke(parts, META, {
      reason: "logout",
      by,
      change: (stamp) => store.revokeSession(session.id, stamp),
      audit: (revoked) =>
        revoked ? { type: "session.logout", userId: "u1", sessionId: session.id } : null,
    });
    expect(outcome).toBe(true);
    expect(await store.findSession(session.id)).toMatchObject({
      revokedAt: clock.now(),
      revokedReason: "logout",
    });
    const { revocations } = await store.listRevocations(null, clock.now());
    expect(revocations).toEqual([
      expect.objectContaining({ subject: "s1", expiresAt: clock.now() + 65_000 }),
    ]);
    expect(denylist.standing({ sid: "s1", sub: "u1", ver: 0 })).toBe("revoked");
    expect(announced).toEqual(["revocations"]);
    expect(audited).toEqual([
      expect.objectContaining({
        type: "session.logout",
        userId: "u1",
        sessionId: "s1",
        ip: META.ip,
        detail: { by: "s1" },
      }),
    ]);
  });

  it("announces and audits nothing when the change revoked nothing", async () => {
    const outcome = await revoke(parts, META, {
      reason: "token-revoked",
      by: SYSTEM_ACTOR,
      change: (stamp) => store.revokeSession("missing", stamp),
      audit: (revoked) =>
        revoked ? { type: "token.revoked", userId: null, sessionId: "missing" } : null,
    });
    expect(outcome).toBe(false);
    expect(announced).toEqual([]);
    expect(audited).toEqual([]);
  });

  it("announces and audits nothing when the change fails, and passes the failure on", async () => {
    await liveSession();
    await store.close();
    await expect(
      revoke(parts, META, {
        reason: "logout-all",
        by: CLI_ACTOR,
        change: (stamp) => store.revokeUserSessions("u1", stamp),
        audit: (ids) => ({
          type: "sessions.revoked_all",
          userId: "u1",
          sessionId: null,
          detail: { count: ids.length },
        }),
      }),
    ).rejects.toThrow();
    expect(announced).toEqual([]);
    expect(audited).toEqual([]);
  });

  it("names the actor in the audit trail: a user's session, an admin's id, the command line, Baton", () => {
    expect(auditedBy(userActor({ userId: "u1", sessionId: "s1" }))).toBe("s1");
    expect(auditedBy({ kind: "admin", userId: "a1", sessionId: "s9" })).toBe("a1");
    expect(auditedBy(CLI_ACTOR)).toBe("cli");
    expect(auditedBy(SYSTEM_ACTOR)).toBe("system");
  });
});

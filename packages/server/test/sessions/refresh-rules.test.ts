// Tests reach a Baton's core (signing keys included) the way the adapters do: it is not public API.
import { coreOf } from "../../src/baton-internals.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBaton, openStore, type AuditEvent, type Baton } from "@baton/server";
import { register } from "../../src/accounts/register.js";
import { refresh } from "../../src/sessions/refresh.js";
import { hashRefreshToken } from "../../src/tokens/refresh-token.js";
import { ManualClock } from "../support/manual-clock.js";

const meta = { ip: "127.0.0.1", userAgent: "test" };

// The rotation rules of sessions/refresh.ts, driven by a manual clock (no sleeps).
describe("refresh rotation, grace window and reuse detection", () => {
  let baton: Baton;
  let clock: ManualClock;
  let events: AuditEvent[];
  beforeEach(async () => {
    clock = new ManualClock();
    events = [];
    baton = await createBaton({
      databaseUrl: "sqlite::memory:",
      clock,
      logger: false,
      refreshReuseInterval: "10s",
      onAuditEvent: (e) => events.push(e),
    });
  });
  afterEach(() => baton.close());

  const signUp = () =>
    register(coreOf(baton), { email: "ada@example.com", password: "correct horse battery" }, meta);
  const types = () => events.map((e) => e.type);

  it("each refresh issues a new refresh token; the chain keeps working", async () => {
    let token = (await signUp()).refreshToken;
    const seen = new Set([token]);
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      token = (await refresh(coreOf(baton), token, meta)).refreshToken;
      seen.add(token);
    }
    expect(seen.size).toBe(6);
  });

  it("racers inside the window all receive the session's same current token", async () => {
    const first = (await signUp()).refreshToken;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => refresh(coreOf(baton), first, meta)),
    );
    const tokens = new Set(results.map((r) => r.refreshToken));
    expect(tokens.size).toBe(1);
    expect(types().filter((t) => t === "token.refreshed")).toHaveLength(1);
    expect(types().filter((t) => t === "refresh.grace")).toHaveLength(19);
    // The converged token is the live one: it rotates normally afterwards.
    const [converged] = tokens;
    clock.advance(11_000);
    await expect(refresh(coreOf(baton), converged!, meta)).resolves.toMatchObject({
      refreshToken: expect.any(String),
    });
    expect(types()).not.toContain("refresh.reused");
  });

  it("a slow request arriving after two further rotations still succeeds inside its own window", async () => {
    const g0 = (await signUp()).refreshToken;
    const g1 = (await refresh(coreOf(baton), g0, meta)).refreshToken; // g0 retired at t=0
    clock.advance(2_000);
    const g2 = (await refresh(coreOf(baton), g1, meta)).refreshToken; // g1 retired at t=2s
    clock.advance(7_000); // t=9s: g0 retired 9 s ago
    const late = await refresh(coreOf(baton), g0, meta);
    expect(late.refreshToken).toBe(g2);
    expect(types()).not.toContain("refresh.reused");
  });

  it("the window counts from the token's own retirement and never slides", async () => {
    const g0 = (await signUp()).refreshToken;
    const g1 = (await refresh(coreOf(baton), g0, meta)).refreshToken; // g0 retired at t=0
    clock.advance(8_000);
    await refresh(coreOf(baton), g1, meta); // g1 retired at t=8s; does not extend g0's window
    clock.advance(2_001); // t=10.001s
    await expect(refresh(coreOf(baton), g0, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
    expect(types()).toContain("refresh.reused");
  });

  it("reuse after the window (its successor has been used) revokes the session: its current token stops working too", async () => {
    const g0 = (await signUp()).refreshToken;
    const g1 = (await refresh(coreOf(baton), g0, meta)).refreshToken;
    clock.advance(1_000);
    const g2 = (await refresh(coreOf(baton), g1, meta)).refreshToken;
    clock.advance(9_001); // g0 retired 10.001 s ago
    await expect(refresh(coreOf(baton), g0, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
    await expect(refresh(coreOf(baton), g2, meta)).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
    expect(events.find((e) => e.type === "refresh.reused")?.detail).toMatchObject({
      presentedGeneration: 0,
      currentGeneration: 2,
    });
  });

  it("with a zero window and recovery off, only the current token is accepted", async () => {
    await baton.close();
    baton = await createBaton({
      databaseUrl: "sqlite::memory:",
      clock,
      logger: false,
      refreshReuseInterval: 0,
      refreshRecoveryWindow: 0,
    });
    const g0 = (await signUp()).refreshToken;
    await refresh(coreOf(baton), g0, meta);
    clock.advance(1);
    await expect(refresh(coreOf(baton), g0, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
  });

  it("sessions slide by the refresh TTL on each refresh but never past their absolute lifetime", async () => {
    await baton.close();
    baton = await createBaton({
      databaseUrl: "sqlite::memory:",
      clock,
      logger: false,
      refreshTokenTtl: "1d",
      sessionMaxLifetime: "3d",
    });
    let token = (await signUp()).refreshToken;
    for (let day = 0; day < 2; day++) {
      clock.advance(20 * 3_600_000);
      token = (await refresh(coreOf(baton), token, meta)).refreshToken;
    }
    clock.advance(20 * 3_600_000); // 60 h: still inside the 3-day cap
    const last = await refresh(coreOf(baton), token, meta);
    expect(last.refreshExpiresAt).toBe(Date.parse("2026-03-01T12:00:00.000Z") + 3 * 86_400_000);
    clock.advance(13 * 3_600_000); // 73 h
    await expect(refresh(coreOf(baton), last.refreshToken, meta)).rejects.toMatchObject({
      code: "REFRESH_INVALID",
    });
  });
});

// Issue 12 item 9: a device whose rotation answer was lost (network drop, lid closed, app
// suspended) comes back after the grace window holding the parent of the session's current token.
// That token's child has never been presented, so this is not evidence of theft: recover.
describe("refresh recovery: a lost rotation answer followed by an outage", () => {
  let baton: Baton;
  let clock: ManualClock;
  let events: AuditEvent[];
  const open = async (options: { refreshRecoveryWindow?: string | number } = {}) => {
    await baton?.close();
    clock = new ManualClock();
    events = [];
    baton = await createBaton({
      databaseUrl: "sqlite::memory:",
      clock,
      logger: false,
      refreshReuseInterval: "10s",
      refreshTokenTtl: "7d",
      onAuditEvent: (e) => events.push(e),
      ...options,
    });
  };
  beforeEach(() => open());
  afterEach(() => baton.close());

  const signUp = () =>
    register(coreOf(baton), { email: "ada@example.com", password: "correct horse battery" }, meta);
  const count = (type: string) => events.filter((e) => e.type === type).length;
  const HOUR = 3_600_000;

  it.each([
    ["15 s", 15_000],
    ["6 hours", 6 * HOUR],
    ["6 days", 6 * 24 * HOUR],
  ])(
    "offline for %s after a dropped answer: the held token gets the session's current token",
    async (_label, offlineMs) => {
      const g0 = (await signUp()).refreshToken;
      const dropped = await refresh(coreOf(baton), g0, meta); // rotated; the answer never arrives
      clock.advance(offlineMs);
      const recovered = await refresh(coreOf(baton), g0, meta);
      expect(recovered.refreshToken).toBe(dropped.refreshToken);
      expect(count("refresh.recovered")).toBe(1);
      expect(events.find((e) => e.type === "refresh.recovered")?.detail).toMatchObject({
        presentedGeneration: 0,
        currentGeneration: 1,
        retiredForMs: offlineMs,
      });
      expect(count("refresh.reused")).toBe(0);
      // The session goes on: the recovered token rotates normally.
      clock.advance(60_000);
      await expect(refresh(coreOf(baton), recovered.refreshToken, meta)).resolves.toMatchObject({
        refreshToken: expect.any(String),
      });
    },
  );

  it("the recovered answer lost too: the same parent recovers again, and gets the same token", async () => {
    const g0 = (await signUp()).refreshToken;
    const dropped = await refresh(coreOf(baton), g0, meta);
    clock.advance(30_000);
    const lostAgain = await refresh(coreOf(baton), g0, meta);
    clock.advance(90_000);
    const recovered = await refresh(coreOf(baton), g0, meta);
    expect(lostAgain.refreshToken).toBe(dropped.refreshToken);
    expect(recovered.refreshToken).toBe(dropped.refreshToken);
    expect(count("refresh.recovered")).toBe(2);
    expect(count("refresh.reused")).toBe(0);
  });

  it("20 racers presenting the parent at once all get the same current token, never REFRESH_REUSED", async () => {
    const g0 = (await signUp()).refreshToken;
    const dropped = await refresh(coreOf(baton), g0, meta);
    clock.advance(45_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => refresh(coreOf(baton), g0, meta)),
    );
    expect(new Set(results.map((r) => r.refreshToken))).toEqual(new Set([dropped.refreshToken]));
    expect(count("refresh.recovered")).toBe(20);
    expect(count("refresh.reused")).toBe(0);
  });

  it("once the current token has been presented, its parent after the window is reuse (a token two generations old)", async () => {
    const g0 = (await signUp()).refreshToken;
    const g1 = (await refresh(coreOf(baton), g0, meta)).refreshToken;
    clock.advance(60_000);
    const g2 = (await refresh(coreOf(baton), g1, meta)).refreshToken; // g1 presented: g0 is stale
    clock.advance(60_000);
    await expect(refresh(coreOf(baton), g0, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
    await expect(refresh(coreOf(baton), g2, meta)).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
    expect(count("refresh.recovered")).toBe(0);
  });

  it("a thief who used a stolen token first: the victim recovers, and the second holder of the redelivered token to present it ends the session", async () => {
    const stolen = (await signUp()).refreshToken; // victim and thief both hold g0
    const thief = await refresh(coreOf(baton), stolen, meta); // thief rotates: g1
    clock.advance(HOUR);
    const victim = await refresh(coreOf(baton), stolen, meta); // g1 never presented: recovery
    expect(victim.refreshToken).toBe(thief.refreshToken);
    // Both hold g1 now (redelivered). Leapfrogging is over: one presents it and rotates...
    clock.advance(60_000);
    const next = await refresh(coreOf(baton), thief.refreshToken, meta);
    clock.advance(60_000);
    // ...and the other one's copy, presented after the window, is reuse: the session ends.
    await expect(refresh(coreOf(baton), victim.refreshToken, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
    await expect(refresh(coreOf(baton), next.refreshToken, meta)).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
  });

  it("a thief holding a parent while the victim is away gets the current token once, and is detected when the victim comes back", async () => {
    const stolen = (await signUp()).refreshToken;
    const victim = await refresh(coreOf(baton), stolen, meta); // the victim's last refresh: g1
    clock.advance(2 * HOUR); // the victim's laptop sleeps
    const thief = await refresh(coreOf(baton), stolen, meta); // g1 never presented: recovery
    expect(thief.refreshToken).toBe(victim.refreshToken);
    clock.advance(60_000);
    const thiefNext = await refresh(coreOf(baton), thief.refreshToken, meta); // g1 -> g2
    clock.advance(HOUR);
    // A stale parent cannot be recovered a second time: g1 itself was handed out by a recovery.
    await expect(refresh(coreOf(baton), victim.refreshToken, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
    await expect(refresh(coreOf(baton), thiefNext.refreshToken, meta)).rejects.toMatchObject({
      code: "SESSION_REVOKED",
    });
  });

  it("documented limit: a device that loses the answer of the refresh after a recovery is logged out", async () => {
    const g0 = (await signUp()).refreshToken;
    await refresh(coreOf(baton), g0, meta); // answer lost
    clock.advance(60_000);
    const recovered = await refresh(coreOf(baton), g0, meta); // g1, redelivered
    clock.advance(60_000);
    await refresh(coreOf(baton), recovered.refreshToken, meta); // g1 -> g2, answer lost again
    clock.advance(60_000);
    await expect(refresh(coreOf(baton), recovered.refreshToken, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
  });

  it("a racer presenting the parent while the current token is presented ends consistently", async () => {
    for (let round = 0; round < 10; round++) {
      await open();
      const g0 = (await signUp()).refreshToken;
      const g1 = (await refresh(coreOf(baton), g0, meta)).refreshToken;
      clock.advance(30_000);
      const [parent, current] = await Promise.allSettled([
        refresh(coreOf(baton), g0, meta),
        refresh(coreOf(baton), g1, meta),
      ]);
      const session = await coreOf(baton).store.findByRefreshToken(hashRefreshToken(g0));
      if (parent.status === "fulfilled") {
        // Recovered before the rotation: it got g1, now retired and marked as handed out twice.
        expect(parent.value.refreshToken).toBe(g1);
        expect(current.status).toBe("fulfilled");
        expect(session?.session.revokedAt).toBeNull();
        clock.advance(30_000);
        await expect(refresh(coreOf(baton), g1, meta)).rejects.toMatchObject({
          code: "REFRESH_REUSED",
        });
      } else {
        // Judged after the rotation: g0 is two generations old, so the session is revoked.
        expect(parent.reason).toMatchObject({ code: "REFRESH_REUSED" });
        expect(session?.session.revokedAt).not.toBeNull();
      }
    }
  });

  it("store calls per path: rotation and grace unchanged; recovery costs one conditional update more than grace", async () => {
    const inner = await openStore("sqlite::memory:");
    const calls: string[] = [];
    const counted = new Proxy(inner, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(String(name));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    await baton.close();
    baton = await createBaton({
      store: counted,
      clock,
      logger: false,
      refreshReuseInterval: "10s",
    });
    try {
      const g0 = (await signUp()).refreshToken;
      const during = async (work: () => Promise<unknown>) => {
        calls.length = 0;
        await work();
        return [...calls];
      };
      // The hot path: one indexed read, one rotation (its audit row inside the same commit).
      expect(await during(() => refresh(coreOf(baton), g0, meta))).toEqual([
        "findByRefreshToken",
        "rotateRefreshToken",
      ]);
      expect(await during(() => refresh(coreOf(baton), g0, meta))).toEqual([
        "findByRefreshToken",
        "appendAudit",
      ]);
      clock.advance(60_000);
      expect(await during(() => refresh(coreOf(baton), g0, meta))).toEqual([
        "findByRefreshToken",
        "markRedelivered",
        "appendAudit",
      ]);
    } finally {
      await baton.close();
      await inner.close();
    }
  });

  it("recovery off (refreshRecoveryWindow 0): a parent after the window is reuse, as before", async () => {
    await open({ refreshRecoveryWindow: 0 });
    const g0 = (await signUp()).refreshToken;
    await refresh(coreOf(baton), g0, meta);
    clock.advance(15_000);
    await expect(refresh(coreOf(baton), g0, meta)).rejects.toMatchObject({
      code: "REFRESH_REUSED",
    });
  });

  it("the recovery window bounds the token's age: at the bound it recovers, 1 ms later it is reuse", async () => {
    await open({ refreshRecoveryWindow: "1h" });
    const a = (await signUp()).refreshToken;
    await refresh(coreOf(baton), a, meta);
    clock.advance(HOUR);
    await expect(refresh(coreOf(baton), a, meta)).resolves.toMatchObject({
      refreshToken: expect.any(String),
    });
    const b = (
      await register(
        coreOf(baton),
        { email: "bob@example.com", password: "correct horse battery" },
        meta,
      )
    ).refreshToken;
    await refresh(coreOf(baton), b, meta);
    clock.advance(HOUR + 1);
    await expect(refresh(coreOf(baton), b, meta)).rejects.toMatchObject({ code: "REFRESH_REUSED" });
  });
});

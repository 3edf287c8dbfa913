import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBaton, type AuditEvent, type Baton } from "@baton/server";
import { register } from "../../src/accounts/register.js";
import { refresh } from "../../src/sessions/refresh.js";
import { ManualClock } from "../helpers/manual-clock.js";

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
    register(baton.core, { email: "ada@example.com", password: "correct horse battery" }, meta);
  const types = () => events.map((e) => e.type);

  it("each refresh issues a new refresh token; the chain keeps working", async () => {
    let token = (await signUp()).refreshToken;
    const seen = new Set([token]);
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      token = (await refresh(baton.core, token, meta)).refreshToken;
      seen.add(token);
    }
    expect(seen.size).toBe(6);
  });

  it("racers inside the window all receive the session's same current token", async () => {
    const first = (await signUp()).refreshToken;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => refresh(baton.core, first, meta)),
    );
    const tokens = new Set(results.map((r) => r.refreshToken));
    expect(tokens.size).toBe(1);
    expect(types().filter((t) => t === "token.refreshed")).toHaveLength(1);
    expect(types().filter((t) => t === "refresh.grace")).toHaveLength(19);
    // The converged token is the live one: it rotates normally afterwards.
    const [converged] = tokens;
    clock.advance(11_000);
    await expect(refresh(baton.core, converged!, meta)).resolves.toMatchObject({
      refreshToken: expect.any(String),
    });
    expect(types()).not.toContain("refresh.reused");
  });

  it("a slow request arriving after two further rotations still succeeds inside its own window", async () => {
    const g0 = (await signUp()).refreshToken;
    const g1 = (await refresh(baton.core, g0, meta)).refreshToken; // g0 retired at t=0
    clock.advance(2_000);
    const g2 = (await refresh(baton.core, g1, meta)).refreshToken; // g1 retired at t=2s
    clock.advance(7_000); // t=9s: g0 retired 9 s ago
    const late = await refresh(baton.core, g0, meta);
    expect(late.refreshToken).toBe(g2);
    expect(types()).not.toContain("refresh.reused");
  });

  it("the window counts from the token's own retirement and never slides", async () => {
    const g0 = (await signUp()).refreshToken;
    const g1 = (await refresh(baton.core, g0, meta)).refreshToken; // g0 retired at t=0
    clock.advance(8_000);
    await refresh(baton.core, g1, meta); // g1 retired at t=8s; does not extend g0's window
    clock.advance(2_001); // t=10.001s
    await expect(refresh(baton.core, g0, meta)).rejects.toMatchObject({ code: "REFRESH_REUSED" });
    expect(types()).toContain("refresh.reused");
  });

  it("reuse after the window revokes the session: its current token stops working too", async () => {
    const g0 = (await signUp()).refreshToken;
    const g1 = (await refresh(baton.core, g0, meta)).refreshToken;
    clock.advance(10_001);
    await expect(refresh(baton.core, g0, meta)).rejects.toMatchObject({ code: "REFRESH_REUSED" });
    await expect(refresh(baton.core, g1, meta)).rejects.toMatchObject({ code: "SESSION_REVOKED" });
    expect(events.find((e) => e.type === "refresh.reused")?.detail).toMatchObject({
      presentedGeneration: 0,
      currentGeneration: 1,
    });
  });

  it("with a zero window, only the current token is accepted", async () => {
    await baton.close();
    baton = await createBaton({
      databaseUrl: "sqlite::memory:",
      clock,
      logger: false,
      refreshReuseInterval: 0,
    });
    const g0 = (await signUp()).refreshToken;
    await refresh(baton.core, g0, meta);
    clock.advance(1);
    await expect(refresh(baton.core, g0, meta)).rejects.toMatchObject({ code: "REFRESH_REUSED" });
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
      token = (await refresh(baton.core, token, meta)).refreshToken;
    }
    clock.advance(20 * 3_600_000); // 60 h: still inside the 3-day cap
    const last = await refresh(baton.core, token, meta);
    expect(last.refreshExpiresAt).toBe(Date.parse("2026-03-01T12:00:00.000Z") + 3 * 86_400_000);
    clock.advance(13 * 3_600_000); // 73 h
    await expect(refresh(baton.core, last.refreshToken, meta)).rejects.toMatchObject({
      code: "REFRESH_INVALID",
    });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRefreshScheduler, refreshLeadTime } from "../src/refresh-scheduler.js";
import { ManualClock } from "./support/manual-clock.js";

describe("refreshLeadTime", () => {
  it("refreshes a 15-minute token about a minute early (60–75 s)", () => {
    expect(refreshLeadTime(900_000, () => 0)).toBe(60_000);
    expect(refreshLeadTime(900_000, () => 0.999)).toBeCloseTo(74_985);
  });

  it("refreshes a 4-second token about a second early", () => {
    expect(refreshLeadTime(4_000, () => 0)).toBe(1_000);
    expect(refreshLeadTime(4_000, () => 0.999)).toBeLessThanOrEqual(1_250);
  });

  it("uses 10% of mid-sized lifetimes", () => {
    expect(refreshLeadTime(120_000, () => 0)).toBe(12_000);
  });

  it("never refreshes earlier than half-way, so a token is refreshed at most once per half-life", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 86_400_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (ttl, r) => {
          const lead = refreshLeadTime(ttl, () => r);
          expect(lead).toBeLessThanOrEqual(ttl / 2);
          expect(lead).toBeLessThanOrEqual(75_000);
          if (ttl >= 2_000) expect(lead).toBeGreaterThanOrEqual(1_000);
        },
      ),
    );
  });
});

describe("createRefreshScheduler", () => {
  it("fires once at the scheduled time, not before", async () => {
    const clock = new ManualClock();
    let fired = 0;
    const scheduler = createRefreshScheduler({ clock, onDue: () => fired++ });
    scheduler.schedule(clock.now() + 54_000);
    await clock.advance(53_999);
    expect(fired).toBe(0);
    await clock.advance(1);
    expect(fired).toBe(1);
    await clock.advance(600_000);
    expect(fired).toBe(1);
    expect(scheduler.dueAt).toBeUndefined();
  });

  it("replaces an earlier schedule instead of adding one", async () => {
    const clock = new ManualClock();
    let fired = 0;
    const scheduler = createRefreshScheduler({ clock, onDue: () => fired++ });
    scheduler.schedule(clock.now() + 1_000);
    scheduler.schedule(clock.now() + 5_000);
    await clock.advance(4_000);
    expect(fired).toBe(0);
    await clock.advance(1_000);
    expect(fired).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it("check() fires a refresh whose timer slept through its time (laptop lid closed)", () => {
    const clock = new ManualClock();
    let fired = 0;
    const scheduler = createRefreshScheduler({ clock, onDue: () => fired++ });
    scheduler.schedule(clock.now() + 60_000);
    scheduler.check();
    expect(fired).toBe(0);
    clock.jump(3_600_000); // time passed, timers did not run
    scheduler.check();
    expect(fired).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it("re-arms when a timer fires early (clamped long delays)", async () => {
    const clock = new ManualClock();
    let fired = 0;
    const scheduler = createRefreshScheduler({ clock, onDue: () => fired++ });
    scheduler.schedule(clock.now() + 10_000);
    clock.jump(-5_000); // the timer's 10 s now end before the due time
    await clock.advance(10_000);
    expect(fired).toBe(0);
    await clock.advance(5_000);
    expect(fired).toBe(1);
  });

  it("cancel() disarms", async () => {
    const clock = new ManualClock();
    let fired = 0;
    const scheduler = createRefreshScheduler({ clock, onDue: () => fired++ });
    scheduler.schedule(clock.now() + 1_000);
    scheduler.cancel();
    await clock.advance(5_000);
    expect(fired).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("unrefs its timer where the platform can (a Node CLI must be able to exit)", () => {
    let unrefs = 0;
    const clock = new ManualClock();
    const unrefClock = {
      now: () => clock.now(),
      setTimeout: () => ({ unref: () => unrefs++ }),
      clearTimeout: () => {},
    };
    const scheduler = createRefreshScheduler({ clock: unrefClock, onDue: () => {} });
    scheduler.schedule(clock.now() + 1_000);
    expect(unrefs).toBe(1);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSkewEstimator } from "../src/clock-skew.js";

/** What a server `offsetMs` ahead would stamp, reading its clock `delay` ms into the request. */
function sample(offsetMs: number, sentAt: number, delay: number, rtt: number) {
  return {
    serverSeconds: Math.floor((sentAt + delay + offsetMs) / 1000),
    sentAt,
    receivedAt: sentAt + rtt,
  };
}

describe("createSkewEstimator", () => {
  it("is zero before any sample", () => {
    expect(createSkewEstimator().offsetMs).toBe(0);
  });

  it("finds a server that is an hour ahead, or five minutes behind", () => {
    for (const offset of [3_600_000, -300_000]) {
      const skew = createSkewEstimator();
      skew.observe(sample(offset, 1_700_000_000_300, 40, 80));
      expect(Math.abs(skew.offsetMs - offset)).toBeLessThanOrEqual(600);
      expect(skew.toLocal(1_700_000_000_000 + offset)).toBeCloseTo(
        1_700_000_000_000 + offset - skew.offsetMs,
      );
    }
  });

  it("always brackets the true offset, and sharpens with more samples", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -86_400_000, max: 86_400_000 }),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 1, max: 60_000 }),
            rtt: fc.integer({ min: 0, max: 2_000 }),
            at: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        (offset, samples) => {
          const skew = createSkewEstimator();
          let now = 1_700_000_000_000;
          let firstWidth: number | undefined;
          for (const { gap, rtt, at } of samples) {
            now += gap;
            skew.observe(sample(offset, now, Math.floor(at * rtt), rtt));
            const { low, high } = skew.bounds!;
            firstWidth ??= high - low;
            expect(low).toBeLessThanOrEqual(offset);
            expect(high).toBeGreaterThanOrEqual(offset);
            expect(high - low).toBeLessThanOrEqual(firstWidth);
          }
        },
      ),
    );
  });

  it("converges to well under the one-second truncation with a handful of samples", () => {
    const skew = createSkewEstimator();
    const offset = 12_345;
    for (let i = 0; i < 12; i++) skew.observe(sample(offset, 1_700_000_000_000 + i * 1_137, 5, 10));
    expect(Math.abs(skew.offsetMs - offset)).toBeLessThan(150);
  });

  it("starts over when the local clock jumps (the intervals stop overlapping)", () => {
    const skew = createSkewEstimator();
    skew.observe(sample(0, 1_700_000_000_000, 10, 20));
    // The user set their clock back by ten minutes: the same server time now maps elsewhere.
    skew.observe(sample(600_000, 1_700_000_005_000 - 600_000, 10, 20));
    expect(Math.abs(skew.offsetMs - 600_000)).toBeLessThanOrEqual(1_000);
  });
});

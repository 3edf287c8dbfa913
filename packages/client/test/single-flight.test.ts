import { describe, expect, it } from "vitest";
import { createSingleFlight } from "../src/single-flight.js";

describe("createSingleFlight", () => {
  it("runs concurrent callers' operation once and gives them the same result", async () => {
    const flight = createSingleFlight<number>();
    let runs = 0;
    let finish!: (value: number) => void;
    const operation = () => {
      runs++;
      return new Promise<number>((resolve) => (finish = resolve));
    };
    const callers = Array.from({ length: 100 }, () => flight.run(operation));
    await Promise.resolve();
    finish(42);
    expect(await Promise.all(callers)).toEqual(Array(100).fill(42));
    expect(runs).toBe(1);
  });

  it("shares a failure with every caller, then forgets it", async () => {
    const flight = createSingleFlight<string>();
    let runs = 0;
    const failing = () => {
      runs++;
      return Promise.reject(new Error("boom"));
    };
    const results = await Promise.allSettled([flight.run(failing), flight.run(failing)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(runs).toBe(1);
    expect(flight.current).toBeUndefined();
    await expect(flight.run(() => Promise.resolve("again"))).resolves.toBe("again");
  });

  it("survives an operation that throws synchronously", async () => {
    const flight = createSingleFlight<string>();
    await expect(
      flight.run(() => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    expect(flight.current).toBeUndefined();
  });
});

import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { HashingThreads } from "../../src/passwords/hashing-threads.js";
import { ARGON2_PARAMS } from "../../src/passwords/password-hasher.js";

const run = promisify(execFile);

/** nice value of each thread of this process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceValues(): Map<number, number> {
  const values = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    values.set(Number(tid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
  }
  return values;
}

describe.runIf(process.platform === "linux")("password hashing threads", () => {
  const threads = new HashingThreads(2);
  afterAll(() => threads.close());

  it("hash on threads below the event loop's priority, at most `size` of them", async () => {
    const before = threadNiceValues();
    const hashes = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        threads.run<string>({ op: "argon2-hash", password: `pw-${i}`, options: ARGON2_PARAMS }),
      ),
    );
    expect(new Set(hashes).size).toBe(6);
    const after = threadNiceValues();
    const lowered = [...after].filter(([tid, nice]) => !before.has(tid) && nice === 10);
    expect(lowered).toHaveLength(2);
    expect(after.get(process.pid)).toBe(0);
    expect(
      await threads.run<boolean>({ op: "argon2-verify", hash: hashes[0]!, password: "pw-0" }),
    ).toBe(true);
  });

  it("a job that fails in the thread rejects; the thread keeps serving", async () => {
    await expect(
      threads.run({ op: "argon2-verify", hash: "$argon2id$garbage", password: "x" }),
    ).rejects.toThrow();
    const hash = await threads.run<string>({
      op: "argon2-hash",
      password: "still here",
      options: ARGON2_PARAMS,
    });
    expect(hash).toMatch(/^\$argon2id\$/);
  });

  it("refuses jobs once closed, and waiting jobs are refused rather than left hanging", async () => {
    const closing = new HashingThreads(1);
    const jobs = Array.from({ length: 3 }, () =>
      closing.run({ op: "argon2-hash", password: "pw", options: ARGON2_PARAMS }),
    );
    const settled = Promise.allSettled(jobs);
    await closing.close();
    const outcomes = await settled;
    expect(outcomes.filter((o) => o.status === "rejected").length).toBeGreaterThanOrEqual(2);
    await expect(
      closing.run({ op: "argon2-hash", password: "pw", options: ARGON2_PARAMS }),
    ).rejects.toThrow(/shut down/);
  });

  it("idle threads do not keep a process alive", async () => {
    const script = `
      import { HashingThreads } from "./packages/server/src/passwords/hashing-threads.ts";
      const threads = new HashingThreads(1);
      const hash = await threads.run({ op: "argon2-hash", password: "pw", options: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
      console.log(hash.slice(0, 9));`;
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { timeout: 20_000 },
    );
    expect(stdout.trim()).toBe("$argon2id");
  });
});

import { describe, expect, it } from "vitest";
import { DUMMY_HASH, PasswordHasher } from "../../src/passwords/password-hasher.js";

describe("the password hasher", () => {
  it("verifies unknown emails against a hash made with today's parameters (same cost as a real one)", () => {
    expect(new PasswordHasher().needsRehash(DUMMY_HASH)).toBe(false);
  });

  it("starts no hashing thread until the first hash (memory of an idle server)", async () => {
    const hasher = new PasswordHasher();
    const threads = () =>
      (hasher as unknown as { threads: { threads: Set<unknown> } }).threads.threads.size;
    expect(threads()).toBe(0);
    expect(await hasher.verifyDummy("anything")).toBe(false);
    expect(threads()).toBe(1);
    await hasher.close();
  });
});

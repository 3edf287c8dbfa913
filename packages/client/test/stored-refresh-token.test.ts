import { describe, expect, it } from "vitest";
import { createStoredRefreshToken } from "../src/stored-refresh-token.js";
import { createMemoryTokenStore, type TokenStore } from "../src/token-store.js";
import { settle } from "./support/manual-clock.js";

const silent = { debug: () => {}, warn: () => {} };

describe("createStoredRefreshToken", () => {
  it("reads the store once, and again when asked for a fresh copy", async () => {
    const store = createMemoryTokenStore("rt-1");
    let reads = 0;
    const counting: TokenStore = { ...store, load: () => (reads++, store.load()) };
    const kept = createStoredRefreshToken(counting, silent);
    expect(await kept.load()).toBe("rt-1");
    expect(await kept.load()).toBe("rt-1");
    expect(reads).toBe(1);
    // Another process sharing the store rotated the token.
    await store.save("rt-2");
    expect(await kept.load()).toBe("rt-1");
    expect(await kept.load(true)).toBe("rt-2");
    expect(reads).toBe(2);
  });

  it("saves rotated tokens and clears the store", async () => {
    const store = createMemoryTokenStore();
    const kept = createStoredRefreshToken(store, silent);
    expect(await kept.load()).toBeNull();
    await kept.save("rt-9");
    expect(store.load()).toBe("rt-9");
    kept.clear();
    expect(await kept.load()).toBeNull();
    await settle();
    expect(store.load()).toBeNull();
  });

  it("keeps working from memory when the store fails, and says so", async () => {
    const warnings: string[] = [];
    const broken: TokenStore = {
      load: () => Promise.reject(new Error("disk gone")),
      save: () => Promise.reject(new Error("disk full")),
      clear: () => Promise.reject(new Error("disk gone")),
    };
    const kept = createStoredRefreshToken(broken, {
      debug: () => {},
      warn: (message) => warnings.push(message),
    });
    expect(await kept.load()).toBeNull();
    await kept.save("rt-1");
    expect(await kept.load()).toBe("rt-1");
    // A failed re-read keeps the copy in memory rather than forgetting the session.
    expect(await kept.load(true)).toBe("rt-1");
    kept.clear();
    await settle();
    expect(warnings).toEqual([
      "could not read the token store",
      "could not save the refresh token; it is kept in memory",
      "could not read the token store",
      "could not clear the token store",
    ]);
  });
});

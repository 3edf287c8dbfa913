import type { PublicUser } from "@baton/protocol";
import { describe, expect, it } from "vitest";
import type { CrossTabOptions } from "../src/client-types.js";
import type { CrossTabMessage } from "../src/cross-tab.js";
import type { HeldToken } from "../src/held-token.js";
import { createTabSync } from "../src/tab-sync.js";
import { FakeBroadcastHub, FakeLockManager } from "./support/fake-tabs.js";
import { ManualClock, settle } from "./support/manual-clock.js";
import { BASE_URL } from "./support/setup.js";

const USER: PublicUser = {
  id: "u1",
  email: "ada@example.com",
  name: null,
  roles: ["user"],
  createdAt: new Date(0).toISOString(),
  emailVerified: false,
};
const TOKEN: HeldToken = {
  accessToken: "header.payload.signature",
  generation: 3,
  expiresAt: 2_000_000,
  ttlMs: 900_000,
  obtainedAt: 1_100_000,
  refreshAt: 1_940_000,
  sessionId: "s1",
};

/** Tabs of one browser: a shared BroadcastChannel hub and lock manager, on a manual clock. */
function browser() {
  const clock = new ManualClock();
  const hub = new FakeBroadcastHub();
  const locks = new FakeLockManager();
  const openTab = (setting: boolean | CrossTabOptions = { channel: (n) => hub.open(n), locks }) => {
    const received: CrossTabMessage[] = [];
    const sync = createTabSync({
      baseUrl: BASE_URL,
      setting,
      clock,
      defaultLockTimeoutMs: 13_000,
      logger: { debug: () => {}, warn: () => {} },
      onToken: (message) => received.push(message),
      onEnded: (message) => received.push(message),
    });
    return { sync, received };
  };
  return { clock, hub, locks, openTab };
}

describe("createTabSync", () => {
  it("while connected, tells the other tabs about tokens and endings, never the refresh token", async () => {
    const { hub, openTab } = browser();
    const a = openTab();
    const b = openTab();
    a.sync.connect();
    b.sync.connect();
    expect(hub.openCount).toBe(2);

    a.sync.postToken(TOKEN, USER);
    a.sync.postEnded("LOGOUT", "s1");
    await settle();
    expect(b.received).toEqual([
      {
        type: "token",
        accessToken: TOKEN.accessToken,
        user: USER,
        expiresAt: TOKEN.expiresAt,
        ttlMs: TOKEN.ttlMs,
        obtainedAt: TOKEN.obtainedAt,
        sessionId: "s1",
      },
      { type: "ended", reason: "LOGOUT", sessionId: "s1" },
    ]);
    expect(a.received).toEqual([]); // a tab does not hear itself
    expect(JSON.stringify(hub.log)).not.toContain("refresh");
  });

  it("disconnected, it closes its channel and neither hears nor reaches the others; it can connect again", async () => {
    const { hub, openTab } = browser();
    const a = openTab();
    const b = openTab();
    a.sync.connect();
    b.sync.connect();
    b.sync.disconnect();
    expect(hub.openCount).toBe(1);
    a.sync.postEnded("LOGOUT", "s1");
    b.sync.postEnded("LOGOUT", "s2");
    await settle();
    expect(b.received).toEqual([]);
    expect(a.received).toEqual([]);

    b.sync.connect();
    a.sync.postEnded("SESSION_REVOKED", "s3");
    await settle();
    expect(b.received).toEqual([{ type: "ended", reason: "SESSION_REVOKED", sessionId: "s3" }]);
    // The server's why travels with it (the other tabs show the same reason).
    a.sync.postEnded("SESSION_REVOKED", "s4", { revokedReason: "password-reset" });
    await settle();
    expect(b.received.at(-1)).toEqual({
      type: "ended",
      reason: "SESSION_REVOKED",
      sessionId: "s4",
      revokedReason: "password-reset",
    });
  });

  it("shares one refresh lock between tabs", async () => {
    const { locks, openTab } = browser();
    const a = openTab();
    const b = openTab();
    a.sync.connect();
    b.sync.connect();
    const order: string[] = [];
    let releaseA!: () => void;
    const first = a.sync.withRefreshLock(async () => {
      order.push("a starts");
      await new Promise<void>((resolve) => (releaseA = resolve));
      order.push("a ends");
    });
    const second = b.sync.withRefreshLock(async () => {
      order.push("b runs");
      return Promise.resolve();
    });
    await settle();
    expect(order).toEqual(["a starts"]);
    releaseA();
    await Promise.all([first, second]);
    expect(order).toEqual(["a starts", "a ends", "b runs"]);
    expect(locks.grants).toBe(2);
  });

  it("waits for a hung tab's lock only for the default time-out, then refreshes anyway", async () => {
    const { clock, locks, openTab } = browser();
    locks.hold(`baton:${BASE_URL}:refresh`);
    const tab = openTab();
    tab.sync.connect();
    let ran = false;
    const refresh = tab.sync.withRefreshLock(() => {
      ran = true;
      return Promise.resolve();
    });
    await clock.advance(12_999);
    expect(ran).toBe(false);
    await clock.advance(1);
    await refresh;
    expect(ran).toBe(true);
  });

  it("with crossTab off (or not connected) opens nothing, and still runs one operation at a time", async () => {
    const { hub, locks, openTab } = browser();
    const off = openTab(false);
    off.sync.connect();
    const never = openTab();
    for (const { sync } of [off, never]) {
      const order: string[] = [];
      const slow = sync.withRefreshLock(async () => {
        await settle();
        order.push("slow");
      });
      const fast = sync.withRefreshLock(() => {
        order.push("fast");
        return Promise.resolve();
      });
      await Promise.all([slow, fast]);
      expect(order).toEqual(["slow", "fast"]);
    }
    expect(hub.openCount).toBe(0);
    expect(locks.grants).toBe(0);
  });
});

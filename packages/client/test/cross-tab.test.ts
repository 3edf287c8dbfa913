import { describe, expect, it } from "vitest";
import { decodeAccessToken } from "../src/access-token.js";
import { createAuthClient } from "../src/client.js";
import type { AuthClient, CrossTabOptions } from "../src/client-types.js";
import type { SessionEndReason } from "../src/errors.js";
import { FakeBatonServer } from "./support/fake-server.js";
import { FakeBroadcastHub, FakeEnvironment, FakeLockManager } from "./support/fake-tabs.js";
import { ManualClock, settle } from "./support/manual-clock.js";
import { BASE_URL, driveUntilSettled, EMAIL, PASSWORD } from "./support/setup.js";

const DATA = "http://app.test/api/data";

/** One browser: a cookie jar, BroadcastChannels and locks shared by its tabs. */
function browser(options: { locks?: boolean; coordinated?: boolean } = {}) {
  const clock = new ManualClock();
  const server = new FakeBatonServer(clock);
  server.addUser(EMAIL, PASSWORD);
  const jar = server.createJar();
  const hub = new FakeBroadcastHub();
  const locks = options.locks === false ? null : new FakeLockManager();
  const ended = new Map<AuthClient, SessionEndReason[]>();
  const openTab = (random = 0.5, crossTab: Partial<CrossTabOptions> = {}) => {
    const reasons: SessionEndReason[] = [];
    const tab = createAuthClient({
      baseUrl: BASE_URL,
      transport: "cookie",
      fetch: server.fetchFor(jar),
      clock,
      random: () => random,
      environment: new FakeEnvironment(),
      crossTab:
        options.coordinated === false
          ? false
          : { channel: (name) => hub.open(name), locks, ...crossTab },
      onSessionEnded: (reason) => reasons.push(reason),
    });
    ended.set(tab, reasons);
    return tab;
  };
  return { clock, server, jar, hub, locks, openTab, ended };
}

describe("two tabs of one browser", () => {
  it("refresh once per token lifetime between them, for hours, and never reuse a token", async () => {
    const { clock, server, openTab, ended } = browser();
    // Same jitter: both tabs' timers fire in the same instant, the worst case.
    const a = openTab(0.5);
    const b = openTab(0.5);
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    await settle();
    expect(b.status).toBe("authenticated");
    server.requests.length = 0;

    for (let minute = 0; minute < 240; minute++) {
      await clock.advance(60_000);
      expect((await a.fetch(DATA)).status).toBe(200);
      expect((await b.fetch(DATA)).status).toBe(200);
    }
    const refreshes = server.count("/api/auth/refresh");
    // 240 min / (15 min - 67.5 s) ≈ 17.3 lifetimes: one refresh each, not one per tab.
    expect(refreshes).toBeGreaterThanOrEqual(17);
    expect(refreshes).toBeLessThanOrEqual(18);
    expect(server.count("/api/data")).toBe(480); // no 401s, no retries
    expect(server.reuseDetections).toBe(0);
    expect(ended.get(a)).toEqual([]);
    expect(ended.get(b)).toEqual([]);
    a.dispose();
    b.dispose();
  });

  it("do the same with only BroadcastChannel (no navigator.locks)", async () => {
    const { clock, server, openTab, ended } = browser({ locks: false });
    const a = openTab(0.5);
    const b = openTab(0.5);
    // Each claim listens 50 ms for competing claims: drive the clock through it.
    await clock.advance(1_000);
    await driveUntilSettled(clock, a.login({ email: EMAIL, password: PASSWORD }), 10);
    await clock.advance(1_000);
    expect(b.status).toBe("authenticated");
    server.requests.length = 0;
    for (let minute = 0; minute < 120; minute++) {
      await clock.advance(60_000);
      expect((await b.fetch(DATA)).status).toBe(200);
    }
    const refreshes = server.count("/api/auth/refresh");
    expect(refreshes).toBeGreaterThanOrEqual(8);
    expect(refreshes).toBeLessThanOrEqual(9);
    expect([...ended.values()].flat()).toEqual([]);
    a.dispose();
    b.dispose();
  });

  it("uncoordinated tabs still stay signed in: the server's grace window makes racing refreshes converge", async () => {
    const { clock, server, openTab, ended } = browser({ coordinated: false });
    const a = openTab(0.5);
    const b = openTab(0.5);
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    await b.refresh();
    for (let minute = 0; minute < 120; minute++) {
      await clock.advance(60_000);
      expect((await a.fetch(DATA)).status).toBe(200);
      expect((await b.fetch(DATA)).status).toBe(200);
    }
    // Twice the refreshes (each tab on its own), racing with the same cookie: the grace window
    // answers the loser, and nobody is logged out.
    expect(server.count("/api/auth/refresh")).toBeGreaterThanOrEqual(16);
    expect(server.graceHits).toBeGreaterThanOrEqual(8);
    expect(server.reuseDetections).toBe(0);
    expect([...ended.values()].flat()).toEqual([]);
    a.dispose();
    b.dispose();
  });

  it("a new tab restoring while the other is busy adopts the broadcast token instead of rotating again", async () => {
    const { server, openTab } = browser();
    const a = openTab();
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    server.requests.length = 0;
    const tabs = Array.from({ length: 5 }, () => openTab());
    await settle();
    expect(tabs.every((tab) => tab.status === "authenticated")).toBe(true);
    // The first tab to get the lock rotated; the four others found its token on the channel.
    expect(server.count("/api/auth/refresh")).toBe(1);
    for (const tab of [a, ...tabs]) tab.dispose();
  });

  it("logout in one tab signs out every tab", async () => {
    const { openTab, ended, server } = browser();
    const a = openTab();
    const b = openTab();
    const c = openTab();
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    await settle();
    expect(c.status).toBe("authenticated");

    await b.logout();
    await settle();
    expect([a.status, b.status, c.status]).toEqual(["anonymous", "anonymous", "anonymous"]);
    expect(ended.get(a)).toEqual(["LOGOUT"]);
    expect(ended.get(c)).toEqual(["LOGOUT"]);
    await a.fetch(DATA);
    expect(server.requests.at(-1)?.authorization).toBeNull();
    for (const tab of [a, b, c]) tab.dispose();
  });

  it("ignores a late token message for a session that was logged out", async () => {
    const { openTab, hub } = browser();
    const a = openTab();
    const b = openTab();
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    const accessToken = (await a.getAccessToken())!;
    const sessionId = decodeAccessToken(accessToken)?.sid;
    await b.logout();
    await settle();

    // A message that was in flight when the logout happened.
    hub.open(`baton:${BASE_URL}`).postMessage({
      type: "token",
      accessToken,
      user: { id: "u1", email: EMAIL, name: null, roles: ["user"], createdAt: "" },
      expiresAt: Date.now() + 60_000,
      ttlMs: 900_000,
      obtainedAt: Date.now() + 1,
      sessionId,
    });
    await settle();
    expect([a.status, b.status]).toEqual(["anonymous", "anonymous"]);
    a.dispose();
    b.dispose();
  });

  it("login in one tab signs in the others", async () => {
    const { openTab } = browser();
    const a = openTab();
    const b = openTab();
    await settle();
    expect(b.status).toBe("anonymous");
    await a.login({ email: EMAIL, password: PASSWORD });
    await settle();
    expect(b.status).toBe("authenticated");
    expect(b.user?.email).toBe(EMAIL);
    a.dispose();
    b.dispose();
  });

  it("a session the server ended in one tab (REFRESH_REUSED) ends in all of them", async () => {
    const { openTab, server, ended } = browser();
    const a = openTab();
    const b = openTab();
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    await settle();
    server.fail("/api/auth/refresh", { kind: "status", status: 401, code: "REFRESH_REUSED" });
    await expect(a.refresh()).rejects.toMatchObject({ code: "REFRESH_REUSED" });
    await settle();
    expect(b.status).toBe("anonymous");
    expect(ended.get(b)).toEqual(["REFRESH_REUSED"]);
    a.dispose();
    b.dispose();
  });

  it("a tab that holds the lock forever delays the others only until the lock time-out", async () => {
    const { openTab, locks, clock, server, ended } = browser();
    const a = openTab(0.5, { lockTimeoutMs: 3_000 });
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    server.requests.length = 0;
    const releaseHungTab = locks!.hold(`baton:${BASE_URL}:refresh`);
    server.skewMs = 16 * 60_000;
    const response = a.fetch(DATA);
    await clock.advance(2_999);
    expect(server.count("/api/auth/refresh")).toBe(0);
    await clock.advance(1);
    expect((await response).status).toBe(200);
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect(ended.get(a)).toEqual([]);
    releaseHungTab();
    a.dispose();
  });

  it("dispose() closes the tab's channel; start() opens a new one", async () => {
    const { openTab, hub } = browser();
    const a = openTab();
    await settle();
    expect(hub.openCount).toBe(1);
    a.dispose();
    a.dispose();
    expect(hub.openCount).toBe(0);
    a.start();
    expect(hub.openCount).toBe(1);
    a.dispose();
  });

  it("never posts a refresh token on the channel", async () => {
    const { openTab, hub, jar, clock } = browser();
    const a = openTab();
    const b = openTab();
    await settle();
    await a.login({ email: EMAIL, password: PASSWORD });
    const seen = new Set<string>([jar.token!]);
    for (let i = 0; i < 5; i++) {
      await clock.advance(15 * 60_000);
      seen.add(jar.token!);
    }
    const posted = JSON.stringify(hub.log);
    expect(hub.log.length).toBeGreaterThan(5);
    for (const refreshToken of seen) expect(posted).not.toContain(refreshToken);
    a.dispose();
    b.dispose();
  });
});

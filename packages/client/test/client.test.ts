import { afterEach, describe, expect, it, vi } from "vitest";
import { createAuthClient } from "../src/client.js";
import { HttpError, NetworkError, SessionEndedError } from "../src/errors.js";
import { createMemoryTokenStore } from "../src/token-store.js";
import { settle } from "./support/manual-clock.js";
import { BASE_URL, driveUntilSettled, EMAIL, PASSWORD, setup } from "./support/setup.js";

const DATA = "http://app.test/api/data";

/** A browser that knows it is offline (`navigator.onLine === false`): nothing can reach the server. */
const goOffline = () => vi.stubGlobal("navigator", { onLine: false });
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("session restore", () => {
  it("starts loading and restores through the refresh cookie (a page reload)", async () => {
    const { client, reload, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    client.dispose();

    const page = reload({});
    expect(page.status).toBe("loading");
    await expect(page.ready()).resolves.toMatchObject({
      status: "authenticated",
      user: { email: EMAIL },
    });
    expect(server.count("/api/auth/refresh")).toBe(1);
    page.dispose();
  });

  it("without a cookie becomes anonymous, and no session 'ended'", async () => {
    const { client, ended } = await setup();
    expect(client.status).toBe("anonymous");
    expect(ended).toEqual([]);
    await expect(client.getAccessToken()).resolves.toBeNull();
  });

  it("stays loading while offline, retrying with growing pauses, and never shows anonymous", async () => {
    const { client, reload, server, clock } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    client.dispose();

    goOffline();
    server.fail("/api/auth/refresh", { kind: "network" }, 1_000);
    const before = server.count("/api/auth/refresh");
    const page = reload({});
    const statuses = new Set<string>();
    page.subscribe(() => statuses.add(page.status));
    await clock.advance(60_000);
    const attemptsInFirstMinute = server.count("/api/auth/refresh") - before;
    expect(page.status).toBe("loading");
    // 5 quick attempts per cycle, then pauses of ~4 s, 8 s, 15 s, 30 s…: four cycles, not a storm.
    expect(attemptsInFirstMinute).toBeGreaterThanOrEqual(15);
    expect(attemptsInFirstMinute).toBeLessThanOrEqual(20);
    server.clearFaults();
    await clock.advance(120_000);
    expect(page.status).toBe("authenticated");
    expect(statuses.has("anonymous")).toBe(false);
    page.dispose();
  });

  it("a server outage while loading rejects getAccessToken with the transient error, not null", async () => {
    const { client, reload, server, clock } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    client.dispose();
    server.fail("/api/auth/refresh", { kind: "status", status: 503, code: "UNAVAILABLE" }, 5);
    const page = reload({ autoStart: false });
    const token = page.getAccessToken();
    const outcome = expect(token).rejects.toMatchObject({ code: "UNAVAILABLE", transient: true });
    await clock.advance(30_000);
    await outcome;
    expect(page.status).toBe("loading");
  });
});

describe("single flight", () => {
  it("50 concurrent 401 TOKEN_EXPIRED answers cause one refresh, and every request is retried once", async () => {
    const { client, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    // The server's clock moves 16 minutes on; ours does not know: its token looks fresh to us.
    server.skewMs = 16 * 60_000;

    const responses = await Promise.all(Array.from({ length: 50 }, () => client.fetch(DATA)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect(server.count("/api/data")).toBe(100);
    const retriedWith = new Set(
      server.requests
        .filter((r) => r.path === "/api/data")
        .slice(50)
        .map((r) => r.authorization),
    );
    expect(retriedWith.size).toBe(1);
    client.dispose();
  });

  it("a token that expired locally is refreshed once before 30 parallel requests go out", async () => {
    const { client, server, clock } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    client.dispose(); // no proactive refresh: let the token expire
    clock.jump(16 * 60_000);

    const responses = await Promise.all(Array.from({ length: 30 }, () => client.fetch(DATA)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect(server.count("/api/data")).toBe(30);
  });

  it("a refresh that ends the session rejects every waiting request with SessionEndedError(code)", async () => {
    const { client, server, ended } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.skewMs = 16 * 60_000;
    server.fail("/api/auth/refresh", { kind: "status", status: 401, code: "REFRESH_REUSED" });

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => client.fetch(DATA)));
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const reason = (result as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(SessionEndedError);
      expect((reason as SessionEndedError).code).toBe("REFRESH_REUSED");
    }
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect(client.status).toBe("anonymous");
    expect(ended).toEqual(["REFRESH_REUSED"]);
  });
});

describe("no refresh loops", () => {
  it("returns a 401 TOKEN_INVALID as it is, without refreshing", async () => {
    const { client, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.resourceStatus = () => ({ status: 401, code: "TOKEN_INVALID" });
    const response = await client.fetch(DATA);
    expect(response.status).toBe(401);
    expect(server.count("/api/auth/refresh")).toBe(0);
    expect(client.status).toBe("authenticated");
    client.dispose();
  });

  it("an app's own 401 without a Baton body is returned as it is", async () => {
    const { client, server, reload, jar } = await setup();
    client.dispose();
    const inner = server.fetchFor(jar);
    const page = reload({
      fetch: async (input, init) =>
        input === DATA ? new Response("nope", { status: 401 }) : inner(input, init),
    });
    await page.login({ email: EMAIL, password: PASSWORD });
    expect((await page.fetch(DATA)).status).toBe(401);
    // (The login overtook the page's restore, which then had nothing left to do.)
    expect(server.count("/api/auth/refresh")).toBe(0);
    page.dispose();
  });

  it("refreshes at most once per request, and at most once per 5 s when the server rejects every token", async () => {
    const { client, server, clock } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    // A broken server: every token is "expired", even a fresh one.
    server.resourceStatus = () => ({ status: 401, code: "TOKEN_EXPIRED" });
    const started = clock.now();
    for (let i = 0; i < 20; i++) {
      const response = await driveUntilSettled(clock, client.fetch(DATA), 100);
      expect(response.status).toBe(401);
    }
    const elapsed = clock.now() - started;
    const refreshes = server.count("/api/auth/refresh");
    expect(server.count("/api/data")).toBe(40); // each request: the original and one retry
    expect(refreshes).toBeLessThanOrEqual(Math.floor(elapsed / 5_000) + 1);
    expect(client.status).toBe("authenticated");
    client.dispose();
  });
});

describe("network errors never end a session", () => {
  it("retries a refresh through network errors, 503 with Retry-After and 429", async () => {
    const { client, server, clock, ended } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.skewMs = 16 * 60_000;
    server.fail("/api/auth/refresh", { kind: "network" });
    server.fail("/api/auth/refresh", {
      kind: "status",
      status: 503,
      code: "UNAVAILABLE",
      retryAfter: "3",
    });
    server.fail("/api/auth/refresh", {
      kind: "status",
      status: 429,
      code: "RATE_LIMITED",
      retryAfter: "2",
    });

    const times: number[] = [];
    client.on("tokenRefreshed", () => times.push(clock.now()));
    const started = clock.now();
    const response = await driveUntilSettled(clock, client.fetch(DATA), 100);
    expect(response.status).toBe(200);
    expect(server.count("/api/auth/refresh")).toBe(4);
    // The third attempt waited for the 503's Retry-After (3 s), the fourth for the 429's (2 s).
    expect(times[0]! - started).toBeGreaterThanOrEqual(5_000);
    expect(ended).toEqual([]);
    expect(client.status).toBe("authenticated");
    client.dispose();
  });

  it("times out a hanging refresh and retries it", async () => {
    const { client, server, clock } = await setup({ requestTimeoutMs: 5_000 });
    await client.login({ email: EMAIL, password: PASSWORD });
    server.skewMs = 16 * 60_000;
    server.fail("/api/auth/refresh", { kind: "hang" });
    const response = await driveUntilSettled(clock, client.fetch(DATA), 500);
    expect(response.status).toBe(200);
    expect(server.count("/api/auth/refresh")).toBe(2);
    client.dispose();
  });

  it("after an answer that never came, keeps retrying until the server's grace window closes, then pauses", async () => {
    const { client, server, clock, ended } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.skewMs = 16 * 60_000;
    // The first attempt reaches the server and rotates the token; its answer is lost. Then
    // the network stays down for a while.
    server.fail("/api/auth/refresh", { kind: "lost-response" });
    server.fail("/api/auth/refresh", { kind: "network" }, 1_000);
    const sentAt: number[] = [];
    const started = clock.now();
    const request = client.fetch(DATA);
    const outcome = expect(request).rejects.toBeInstanceOf(NetworkError);
    for (let t = 0; t < 20_000; t += 100) {
      await clock.advance(100);
      while (sentAt.length < server.count("/api/auth/refresh")) sentAt.push(clock.now() - started);
    }
    await outcome;
    const insideWindow = sentAt.filter((t) => t < 10_000);
    // More than the 5 attempts of an ordinary cycle, all inside the 10 s window…
    expect(insideWindow.length).toBeGreaterThan(8);
    expect(insideWindow.at(-1)).toBeGreaterThan(8_000);
    // …then a pause instead of a storm.
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(2_500);
    expect(ended).toEqual([]);
    expect(client.status).toBe("authenticated");

    server.clearFaults();
    await clock.advance(60_000);
    expect((await client.fetch(DATA)).status).toBe(200);
    client.dispose();
  });

  it("a lost refresh response is retried with the same token, inside the server's grace window", async () => {
    const { client, server, clock, ended } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.skewMs = 16 * 60_000;
    server.fail("/api/auth/refresh", { kind: "lost-response" });
    const response = await driveUntilSettled(clock, client.fetch(DATA), 100);
    expect(response.status).toBe(200);
    expect(ended).toEqual([]);
    client.dispose();
  });

  it("after a failed cycle it pauses (no storm), keeps the session, and 'online' ends the pause", async () => {
    const { client, server, clock, ended, environment } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    client.dispose();
    client.start();
    goOffline();
    server.fail("/api/auth/refresh", { kind: "network" }, 5);
    clock.jump(16 * 60_000); // the token expired while the laptop slept

    const first = client.fetch(DATA);
    const rejected = expect(first).rejects.toBeInstanceOf(NetworkError);
    await clock.advance(5_000);
    await rejected;
    expect(server.count("/api/auth/refresh")).toBe(5);

    // During the pause, requests fail fast with the same transient error and cause no requests.
    for (let i = 0; i < 20; i++)
      await expect(client.fetch(DATA)).rejects.toBeInstanceOf(NetworkError);
    expect(server.count("/api/auth/refresh")).toBe(5);
    expect(client.status).toBe("authenticated");

    vi.unstubAllGlobals();
    environment.fire("online");
    await settle();
    expect(server.count("/api/auth/refresh")).toBe(6);
    expect((await client.fetch(DATA)).status).toBe(200);
    expect(ended).toEqual([]);
    client.dispose();
  });
});

describe("proactive refresh", () => {
  it("refreshes a 15-minute token 60–75 s before it expires, once", async () => {
    const { client, server, clock } = await setup();
    const refreshedAt: number[] = [];
    client.on(
      "tokenRefreshed",
      (event) => event.source === "refresh" && refreshedAt.push(clock.now()),
    );
    await client.login({ email: EMAIL, password: PASSWORD });
    const loginAt = clock.now();
    await clock.advance(900_000 - 75_000 - 1_000);
    expect(server.count("/api/auth/refresh")).toBe(0);
    await clock.advance(16_000);
    expect(server.count("/api/auth/refresh")).toBe(1);
    const lead = loginAt + 900_000 - refreshedAt[0]!;
    expect(lead).toBeGreaterThanOrEqual(60_000);
    expect(lead).toBeLessThanOrEqual(75_000 + 1_000);
    client.dispose();
  });

  it("keeps a session alive for hours without a single 401", async () => {
    const { client, server, clock } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    for (let minute = 0; minute < 180; minute++) {
      await clock.advance(60_000);
      expect((await client.fetch(DATA)).status).toBe(200);
    }
    const refreshes = server.count("/api/auth/refresh");
    expect(refreshes).toBeGreaterThanOrEqual(12);
    expect(refreshes).toBeLessThanOrEqual(14);
    expect(server.count("/api/data")).toBe(180); // never a 401 and a retry
    client.dispose();
  });

  for (const [label, skewMs] of [
    ["an hour ahead", 3_600_000],
    ["ten minutes behind", -600_000],
  ] as const) {
    it(`schedules by the server's clock when it is ${label}`, async () => {
      const { client, server, clock } = await setup();
      server.skewMs = skewMs;
      await client.login({ email: EMAIL, password: PASSWORD });
      const loginAt = clock.now();
      await clock.advance(900_000 - 76_000);
      expect(server.count("/api/auth/refresh")).toBe(0);
      await clock.advance(17_000);
      expect(server.count("/api/auth/refresh")).toBe(1);
      expect(clock.now() - loginAt).toBeLessThan(900_000);
      client.dispose();
    });
  }

  it("refreshes at once when the page becomes visible after the laptop slept past the due time", async () => {
    const { client, server, clock, environment } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    clock.jump(20 * 60_000); // timers did not run
    expect(server.count("/api/auth/refresh")).toBe(0);
    environment.visibilityState = "visible";
    environment.fire("visibilitychange");
    await settle();
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect((await client.fetch(DATA)).status).toBe(200);
    expect(server.count("/api/data")).toBe(1);
    client.dispose();
  });

  it("a hidden page's visibilitychange and a focus before the due time do nothing", async () => {
    const { client, server, environment } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    environment.visibilityState = "hidden";
    environment.fire("visibilitychange");
    environment.fire("focus");
    await settle();
    expect(server.count("/api/auth/refresh")).toBe(0);
    client.dispose();
  });
});

describe("lifecycle", () => {
  it("StrictMode's start–release–start restores once and leaves one set of listeners", async () => {
    const { client, reload, server, environment, clock } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    client.dispose();
    expect(environment.listenerCount).toBe(0);

    const page = reload({ autoStart: false });
    const release1 = page.start();
    release1();
    const release2 = page.start();
    await settle();
    expect(page.status).toBe("authenticated");
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect(environment.listenerCount).toBe(3);
    expect(clock.pending).toBe(1); // the proactive refresh timer

    release2();
    release2();
    expect(environment.listenerCount).toBe(0);
    page.dispose();
    page.dispose();
    expect(clock.pending).toBe(0);
    // Still usable after dispose: requests work, they just are not scheduled ahead.
    expect((await page.fetch(DATA)).status).toBe(200);
  });

  it("release functions handed out before dispose() do not unbalance a later start()", async () => {
    const { client, environment } = await setup();
    const stale = client.start();
    client.dispose();
    client.start();
    stale();
    expect(environment.listenerCount).toBe(3);
    client.dispose();
  });

  it("rejects a missing baseUrl and a token store with cookie transport as programmer errors", () => {
    expect(() => createAuthClient({} as never)).toThrow(TypeError);
    expect(() =>
      createAuthClient({
        baseUrl: BASE_URL,
        transport: "cookie",
        tokenStore: createMemoryTokenStore(),
      }),
    ).toThrow(TypeError);
  });
});

describe("client.fetch", () => {
  it("sends the token only to allowed origins", async () => {
    const { client, server } = await setup({ tokenOrigins: ["https://api.example.com"] });
    await client.login({ email: EMAIL, password: PASSWORD });
    await client.fetch("https://tracker.example.net/collect");
    await client.fetch("https://api.example.com/orders");
    await client.fetch("/api/data");
    const byOrigin = Object.fromEntries(
      server.requests.slice(-3).map((r) => [r.origin, r.authorization !== null]),
    );
    expect(byOrigin).toEqual({
      "https://tracker.example.net": false,
      "https://api.example.com": true,
      "http://app.test": true,
    });
    client.dispose();
  });

  it("leaves a caller's own Authorization header alone", async () => {
    const { client, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    await client.fetch(DATA, { headers: { Authorization: "Basic abc" } });
    expect(server.requests.at(-1)?.authorization).toBe("Basic abc");
    client.dispose();
  });

  it("sends requests without a token while signed out", async () => {
    const { client, server } = await setup();
    const response = await client.fetch(DATA);
    expect(response.status).toBe(401);
    expect(server.requests.at(-1)?.authorization).toBeNull();
  });

  it("replays a Request object's body on the retry", async () => {
    const { client, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.skewMs = 16 * 60_000;
    const response = await client.fetch(new Request(DATA, { method: "GET" }));
    expect(response.status).toBe(200);
    expect(server.count("/api/data")).toBe(2);
    client.dispose();
  });
});

describe("SESSION_REVOKED on an API call", () => {
  it("is confirmed with the refresh endpoint before the session ends", async () => {
    const { client, server, ended } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.revokeAll();
    await expect(client.fetch(DATA)).rejects.toMatchObject({ code: "SESSION_REVOKED" });
    expect(server.count("/api/auth/refresh")).toBe(1);
    expect(ended).toEqual(["SESSION_REVOKED"]);
  });

  it("a one-off SESSION_REVOKED that the refresh endpoint contradicts is retried, not a logout", async () => {
    const { client, server, ended } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    let once = true;
    server.resourceStatus = () =>
      once ? ((once = false), { status: 401, code: "SESSION_REVOKED" as const }) : undefined;
    expect((await client.fetch(DATA)).status).toBe(200);
    expect(ended).toEqual([]);
    client.dispose();
  });
});

describe("account calls", () => {
  it("login errors are typed; register, me, sessions, revokeSession, logoutAll work", async () => {
    const { client, server, ended } = await setup();
    await expect(client.login({ email: EMAIL, password: "wrong" })).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
      status: 401,
    });
    await expect(client.login({ email: EMAIL, password: "wrong" })).rejects.toBeInstanceOf(
      HttpError,
    );

    const user = await client.register({ email: "grace@example.com", password: PASSWORD });
    expect(client.user).toEqual(user);
    expect((await client.me()).email).toBe("grace@example.com");
    const sessions = await client.sessions();
    expect(sessions.filter((s) => s.current)).toHaveLength(1);

    server.skewMs = 16 * 60_000; // expired on the server: me() refreshes and retries
    expect((await client.me()).email).toBe("grace@example.com");
    expect(server.count("/api/auth/refresh")).toBe(1);

    await client.logoutAll();
    expect(client.status).toBe("anonymous");
    expect(ended).toEqual(["LOGOUT"]);
    await expect(client.me()).rejects.toMatchObject({ code: "TOKEN_MISSING" });
  });

  it("logout clears local state first, then revokes the cookie session", async () => {
    const { client, server, jar } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    const done = client.logout();
    expect(client.status).toBe("anonymous");
    await expect(done).resolves.toEqual({ serverConfirmed: true });
    expect(jar.token).toBeUndefined();
    expect(server.count("/api/auth/logout")).toBe(1);
  });

  it("logout while offline signs out locally and says the server was not told", async () => {
    const { client, server, clock } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    server.fail("/api/auth/logout", { kind: "network" }, 10);
    const done = client.logout();
    expect(client.status).toBe("anonymous");
    await clock.advance(30_000);
    await expect(done).resolves.toEqual({ serverConfirmed: false });
  });
});

describe("body transport (Node, CLI)", () => {
  it("keeps the rotating refresh token in the store, restores from it, and revokes it on logout", async () => {
    const { server, clock } = await setup();
    const store = createMemoryTokenStore();
    const make = () =>
      createAuthClient({
        baseUrl: BASE_URL,
        transport: "body",
        tokenStore: store,
        fetch: server.fetchFor({}),
        clock,
        environment: null,
      });

    const cli = make();
    await cli.ready();
    expect(cli.status).toBe("anonymous");
    await cli.login({ email: EMAIL, password: PASSWORD });
    const first = await store.load();
    expect(first).toMatch(/^rt-/);
    await cli.refresh();
    const second = await store.load();
    expect(second).not.toBe(first);
    cli.dispose();

    const nextRun = make();
    await expect(nextRun.ready()).resolves.toMatchObject({ status: "authenticated" });
    expect((await nextRun.fetch(DATA)).status).toBe(200);
    await expect(nextRun.logout()).resolves.toEqual({ serverConfirmed: true });
    expect(server.count("/api/auth/revoke")).toBe(1);
    await settle();
    expect(await store.load()).toBeNull();
    nextRun.dispose();
  });
});

describe("debug logging", () => {
  it("never contains token text", async () => {
    const { client, server, clock, logs, jar, environment } = await setup();
    const tokens = new Set<string>();
    client.on("tokenRefreshed", (event) => tokens.add(event.accessToken));
    await client.login({ email: EMAIL, password: PASSWORD });
    tokens.add(jar.token!);
    server.fail("/api/auth/refresh", { kind: "network" }, 5);
    await clock.advance(900_000);
    environment.fire("online");
    await clock.advance(900_000);
    tokens.add(jar.token!);
    server.skewMs = 16 * 60_000;
    await client.fetch(DATA);
    await client.logout();

    expect(logs.length).toBeGreaterThan(5);
    const text = logs.join("\n");
    for (const token of tokens) expect(text).not.toContain(token);
    expect(text).not.toMatch(/eyJ[\w-]{10,}/);
  });
});

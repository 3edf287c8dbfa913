import { describe, expect, it } from "vitest";
import { createAuthApi } from "../src/auth-api.js";
import { DEFAULT_BACKOFF } from "../src/backoff.js";
import { HttpError, SessionEndedError, type SessionEndReason } from "../src/errors.js";
import { createHeldToken } from "../src/held-token.js";
import { createRefreshCycle, type RefreshCycleOptions } from "../src/refresh-cycle.js";
import { createTransport } from "../src/transport.js";
import { FakeBatonServer } from "./support/fake-server.js";
import { ManualClock, settle } from "./support/manual-clock.js";
import { BASE_URL, driveUntilSettled, EMAIL, PASSWORD } from "./support/setup.js";

const REFRESH = "/api/auth/refresh";
const UNAVAILABLE = { kind: "status", status: 503, code: "UNAVAILABLE" } as const;

/**
 * A refresh cycle over the real held-token owner and the real auth API, against the fake server
 * on a manual clock; the lock is a plain queue unless the test brings its own.
 */
async function setup(overrides: Partial<RefreshCycleOptions> = {}) {
  const clock = new ManualClock();
  const server = new FakeBatonServer(clock);
  server.addUser(EMAIL, PASSWORD);
  const api = createAuthApi(
    createTransport({
      baseUrl: BASE_URL,
      fetch: server.fetchFor(server.createJar()),
      clock,
      timeoutMs: 8_000,
    }),
    "cookie",
  );
  const held = createHeldToken({ clock, random: () => 0.5 });
  const ended: SessionEndReason[] = [];
  const pauses: { error: unknown; pauseMs: number }[] = [];
  let tail: Promise<unknown> = Promise.resolve();
  const cycle = createRefreshCycle({
    clock,
    random: () => 0.5,
    retry: DEFAULT_BACKOFF,
    maxPauseMs: 60_000,
    refreshTimeoutMs: 4_000,
    refreshGraceMs: 10_000,
    logger: { debug: () => {}, warn: () => {} },
    held,
    withLock: <T>(operation: () => Promise<T>) => {
      const run = tail.then(operation);
      tail = run.catch(() => undefined);
      return run;
    },
    requestTokens: (timeoutMs) => api.refresh(undefined, { timeoutMs }),
    accept: (response) => {
      held.install(held.fromResponse(response));
      return Promise.resolve();
    },
    endSession: (reason) => {
      held.end(reason);
      ended.push(reason);
    },
    onPause: ({ error, pauseMs }) => pauses.push({ error, pauseMs }),
    mayHaveSession: () => true,
    ...overrides,
  });
  held.install(held.fromResponse(await api.login({ email: EMAIL, password: PASSWORD })));
  server.requests.length = 0;
  return { clock, server, held, cycle, ended, pauses };
}

describe("createRefreshCycle", () => {
  it("gives 50 concurrent callers one refresh, and skips a token already replaced", async () => {
    const { server, held, cycle } = await setup();
    const stale = held.current!.generation;
    await Promise.all(Array.from({ length: 50 }, () => cycle.renew(stale, true)));
    expect(server.count(REFRESH)).toBe(1);
    expect(held.current!.generation).not.toBe(stale);

    // A caller that was rejected with the old token finds the new one: no request.
    await cycle.renew(stale, true);
    expect(server.count(REFRESH)).toBe(1);
  });

  it("ends the session once on a session-ending answer, and rejects every caller with its code", async () => {
    const { server, held, cycle, ended } = await setup();
    server.revokeAll();
    const stale = held.current!.generation;
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => cycle.renew(stale, false)),
    );
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const reason = (result as PromiseRejectedResult).reason as unknown;
      expect(reason).toBeInstanceOf(SessionEndedError);
      expect((reason as SessionEndedError).code).toBe("SESSION_REVOKED");
    }
    expect(ended).toEqual(["SESSION_REVOKED"]);
    expect(server.count(REFRESH)).toBe(1);
  });

  it("retries a failing server five times, then pauses; during the pause it fails at once without a request", async () => {
    const { clock, server, held, cycle, pauses } = await setup();
    server.fail(REFRESH, UNAVAILABLE, 5);
    const stale = held.current!.generation;
    const failed = cycle.renew(stale, false);
    await expect(driveUntilSettled(clock, failed)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(server.count(REFRESH)).toBe(5);
    // The first pause: half of 5 s fixed, half random (0.5 here).
    expect(pauses.map((p) => p.pauseMs)).toEqual([3_750]);
    expect(cycle.pausedUntil).toBeGreaterThan(clock.now());

    await expect(cycle.renew(stale, false)).rejects.toBeInstanceOf(HttpError);
    expect(server.count(REFRESH)).toBe(5);

    await clock.advance(cycle.pausedUntil - clock.now());
    await cycle.renew(stale, false);
    expect(server.count(REFRESH)).toBe(6);
    expect(held.current!.generation).not.toBe(stale);
  });

  it("makes each pause longer than the last, and the network coming back ends one", async () => {
    const { clock, server, held, cycle, pauses } = await setup();
    server.fail(REFRESH, UNAVAILABLE, 15);
    const stale = held.current!.generation;
    for (let i = 0; i < 3; i++) {
      await driveUntilSettled(clock, cycle.renew(stale, false)).catch(() => undefined);
      if (i < 2) await clock.advance(cycle.pausedUntil - clock.now());
    }
    expect(pauses.map((p) => p.pauseMs)).toEqual([3_750, 7_500, 15_000]);
    expect(cycle.endPauseForNetwork()).toBe(true);
    expect(cycle.endPauseForNetwork()).toBe(false);
    await cycle.renew(stale, false);
    expect(server.count(REFRESH)).toBe(16);
  });

  it("after an answer that never came, keeps trying past five attempts until the grace window closes", async () => {
    const { clock, server, held, cycle } = await setup();
    server.fail(REFRESH, { kind: "lost-response" }, 1);
    server.fail(REFRESH, { kind: "network" }, 100);
    const started = clock.now();
    const failed = cycle.renew(held.current!.generation, false);
    await expect(driveUntilSettled(clock, failed, 50)).rejects.toMatchObject({
      code: "NETWORK_ERROR",
    });
    expect(server.count(REFRESH)).toBeGreaterThan(5);
    expect(clock.now() - started).toBeLessThan(10_000);
  });

  it("spaces refreshes forced by 401s: a server that rejects fresh tokens gets one per 5 s", async () => {
    const { clock, server, held, cycle } = await setup();
    await cycle.renew(held.current!.generation, true);
    expect(server.count(REFRESH)).toBe(1);
    const second = cycle.renew(held.current!.generation, true);
    await clock.advance(4_999);
    expect(server.count(REFRESH)).toBe(1);
    await clock.advance(1);
    await second;
    expect(server.count(REFRESH)).toBe(2);
  });

  it("drops a refresh whose session ended while it waited for the lock", async () => {
    let release!: () => void;
    const lockFree = new Promise<void>((resolve) => (release = resolve));
    const { server, held, cycle } = await setup({
      withLock: async <T>(operation: () => Promise<T>) => {
        await lockFree;
        return operation();
      },
    });
    const waiting = cycle.renew(held.current!.generation, false);
    await settle();
    held.end("LOGOUT"); // another tab logged out meanwhile
    release();
    await expect(waiting).rejects.toMatchObject({ code: "LOGOUT" });
    await settle();
    expect(server.count(REFRESH)).toBe(0);
  });

  it("ends a restore as 'no session' without a request when no session can exist", async () => {
    const { server, held, cycle, ended } = await setup({ mayHaveSession: () => false });
    held.end("LOGOUT");
    ended.length = 0;
    await expect(cycle.renew(undefined, false)).rejects.toMatchObject({ code: "REFRESH_MISSING" });
    expect(ended).toEqual(["REFRESH_MISSING"]);
    expect(server.count(REFRESH)).toBe(0);
  });

  it("still refreshes a token it holds when no session hint is seen", async () => {
    const { server, held, cycle } = await setup({ mayHaveSession: () => false });
    await cycle.renew(held.current!.generation, false);
    expect(server.count(REFRESH)).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { createAuthApi } from "../src/auth-api.js";
import { createHeldToken, type TokenFromOtherTab } from "../src/held-token.js";
import { createTransport } from "../src/transport.js";
import { FakeBatonServer } from "./support/fake-server.js";
import { ManualClock } from "./support/manual-clock.js";
import { BASE_URL, EMAIL, PASSWORD } from "./support/setup.js";

/** A held-token owner and real token answers from the fake server, on a manual clock. */
function setup() {
  const clock = new ManualClock();
  const server = new FakeBatonServer(clock);
  server.addUser(EMAIL, PASSWORD);
  const jar = server.createJar();
  const api = createAuthApi(
    createTransport({ baseUrl: BASE_URL, fetch: server.fetchFor(jar), clock, timeoutMs: 8_000 }),
    "cookie",
  );
  const held = createHeldToken({ clock, random: () => 0 });
  const login = () => api.login({ email: EMAIL, password: PASSWORD });
  const refresh = () => api.refresh(undefined);
  return { clock, server, held, login, refresh };
}

const fromTab = (sessionId: string, obtainedAt: number): TokenFromOtherTab => ({
  accessToken: `token-of-${sessionId}-${obtainedAt}`,
  expiresAt: obtainedAt + 900_000,
  ttlMs: 900_000,
  obtainedAt,
  sessionId,
});

describe("createHeldToken", () => {
  it("numbers every token it builds, and holds only the installed one", async () => {
    const { held, login, refresh } = setup();
    expect(held.current).toBeUndefined();
    expect(held.issued()).toBeNull();
    const first = held.fromResponse(await login());
    const second = held.fromResponse(await refresh());
    expect([first.generation, second.generation]).toEqual([1, 2]);
    expect(held.current).toBeUndefined();
    held.install(second);
    expect(held.issued()).toEqual({ accessToken: second.accessToken, generation: 2 });
    expect(second.sessionId).toBe(first.sessionId);
  });

  it("times a token in the local clock, whatever the server's clock says", async () => {
    const { clock, server, held, login } = setup();
    server.skewMs = 60 * 60_000; // the server is an hour ahead
    const token = held.fromResponse(await login());
    // A 15-minute token expires 15 minutes from now here, and is refreshed 60 s before (random 0).
    expect(token.ttlMs).toBe(900_000);
    expect(Math.abs(token.expiresAt - (clock.now() + 900_000))).toBeLessThanOrEqual(1_000);
    expect(token.refreshAt).toBe(token.expiresAt - 60_000);
  });

  it("knows when its token expired, and whether a rejected one was already replaced", async () => {
    const { clock, held, login, refresh } = setup();
    const first = held.fromResponse(await login());
    held.install(first);
    expect(held.isExpired()).toBe(false);
    expect(held.replacedAndValid(first.generation)).toBe(false);
    expect(held.replacedAndValid(undefined)).toBe(false); // a restore always asks
    const second = held.fromResponse(await refresh());
    held.install(second);
    expect(held.replacedAndValid(first.generation)).toBe(true);
    expect(held.replacedAndNotDue(first.generation)).toBe(true);
    expect(held.replacedAndNotDue(undefined)).toBe(true);

    await clock.advance(second.refreshAt - clock.now());
    expect(held.replacedAndNotDue(first.generation)).toBe(false); // due: refresh it anyway
    expect(held.replacedAndValid(first.generation)).toBe(true);
    await clock.advance(second.expiresAt - clock.now());
    expect(held.isExpired()).toBe(true);
    expect(held.replacedAndValid(first.generation)).toBe(false);
  });

  it("starts a new epoch when the session ends, is replaced or superseded, not on a refresh", async () => {
    const { held, login, refresh } = setup();
    held.install(held.fromResponse(await login()));
    const epoch = held.epoch;
    held.install(held.fromResponse(await refresh()));
    expect(held.isCurrent(epoch)).toBe(true);

    held.install(held.fromResponse(await login())); // another session
    expect(held.isCurrent(epoch)).toBe(false);
    const afterLogin = held.epoch;
    held.supersede();
    expect(held.isCurrent(afterLogin)).toBe(false);

    const sessionId = held.current?.sessionId;
    const beforeEnd = held.epoch;
    expect(held.end("SESSION_REVOKED")).toBe(sessionId);
    expect(held.isCurrent(beforeEnd)).toBe(false);
    expect(held.endReason).toBe("SESSION_REVOKED");
    expect(held.current).toBeUndefined();
    expect(held.end("LOGOUT")).toBeUndefined(); // nothing held: no session ended
  });

  it("adopts another tab's token only if it is newer and its session has not ended", () => {
    const { held } = setup();
    const adopted = held.fromOtherTab(fromTab("s1", 1_000));
    expect(adopted?.generation).toBe(1);
    held.install(adopted!);
    expect(held.fromOtherTab(fromTab("s1", 1_000))).toBeUndefined(); // not newer
    expect(held.fromOtherTab(fromTab("s1", 999))).toBeUndefined(); // older
    expect(held.fromOtherTab(fromTab("s1", 1_001))?.generation).toBe(2);

    held.end("LOGOUT");
    // A late message of the session that ended must not resurrect it.
    expect(held.fromOtherTab(fromTab("s1", 5_000))).toBeUndefined();
    expect(held.fromOtherTab(fromTab("s2", 5_000))).toBeDefined();
  });

  it("tells whether another tab's ending concerns the session held here, and remembers it", () => {
    const { held } = setup();
    held.install(held.fromOtherTab(fromTab("s1", 1_000))!);
    expect(held.endedElsewhere("s2")).toBe(false); // another session: ours goes on
    expect(held.fromOtherTab(fromTab("s2", 2_000))).toBeUndefined(); // but s2 is remembered
    expect(held.endedElsewhere("s1")).toBe(true);
    expect(held.endedElsewhere(undefined)).toBe(true); // unknown session: assume ours
  });

  it("remembers the 32 sessions that ended last", () => {
    const { held } = setup();
    for (let i = 0; i <= 32; i++) {
      held.install(held.fromOtherTab(fromTab(`s${i}`, 1_000))!);
      held.end("LOGOUT");
    }
    expect(held.fromOtherTab(fromTab("s0", 2_000))).toBeDefined();
    expect(held.fromOtherTab(fromTab("s1", 2_000))).toBeUndefined();
    expect(held.fromOtherTab(fromTab("s32", 2_000))).toBeUndefined();
  });
});

/**
 * The client against the real Baton server (Fastify + SQLite in memory, started here), in Node
 * with body transport. The server's clock is injected, so "the token expired" and "five minutes
 * passed" cost no real time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import axios from "axios";
import { startServer, type AuditEvent, type RunningServer } from "@baton/server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAuthClient } from "../src/client.js";
import type { AuthClientOptions } from "../src/client-types.js";
import { systemClock, type Clock } from "../src/clock.js";
import { BatonClientError, SessionEndedError, type SessionEndReason } from "../src/errors.js";
import { createFileTokenStore } from "../src/node/file-token-store.js";
import { createMemoryTokenStore } from "../src/token-store.js";
import type { FetchLike } from "../src/transport.js";
import { FaultyNetwork } from "./support/faulty-network.js";
import { ManualClock } from "./support/manual-clock.js";

const PASSWORD = "correct horse battery staple";
let server: RunningServer;
let base: string;
/** Server time = real time + offset, or the simulated clock when a test plugs one in. */
let serverTime: () => number = () => Date.now();
const events: AuditEvent[] = [];
let users = 0;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    host: "127.0.0.1",
    databaseUrl: "sqlite::memory:",
    accessTokenTtl: "2s",
    authRateLimit: 0,
    adminEmail: "admin@example.com",
    adminPassword: PASSWORD,
    logger: false,
    clock: { now: () => serverTime() },
    onAuditEvent: (event) => events.push(event),
  });
  base = `${server.url}/api/auth`;
});

afterAll(async () => {
  await server?.close();
});

afterEach(() => {
  serverTime = () => Date.now();
});

const newEmail = () => `user${++users}-${Date.now()}@example.com`;
const eventsOf = (type: string, since = 0) =>
  events.slice(since).filter((event) => event.type === type).length;

/** A fetch that counts requests per path. */
function countingFetch(): { fetch: FetchLike; count: (path: string) => number; reset: () => void } {
  const counts = new Map<string, number>();
  return {
    fetch: (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const path = new URL(url).pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      return globalThis.fetch(input, init);
    },
    count: (path) => counts.get(path) ?? 0,
    reset: () => counts.clear(),
  };
}

function nodeClient(options: Partial<AuthClientOptions> = {}) {
  return createAuthClient({ baseUrl: base, transport: "body", environment: null, ...options });
}

describe("200 concurrent requests on an expired token", () => {
  it("the server says TOKEN_EXPIRED to all 200: exactly one POST /refresh, 200 successes", async () => {
    let offset = 0;
    serverTime = () => Date.now() + offset;
    const network = countingFetch();
    // Not started: no proactive refresh, so the token really is used until the server refuses it.
    const client = nodeClient({ fetch: network.fetch, autoStart: false });
    await client.register({ email: newEmail(), password: PASSWORD });
    offset += 10_000; // 2 s lifetime + 5 s tolerance have passed on the server; the client has no idea
    network.reset();
    const refreshedBefore = eventsOf("token.refreshed");

    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => client.fetch(`${base}/me`)),
    );
    const elapsed = performance.now() - started;

    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(network.count("/api/auth/refresh")).toBe(1);
    expect(eventsOf("token.refreshed") - refreshedBefore).toBe(1);
    expect(network.count("/api/auth/me")).toBe(400); // 200 refused, 200 retried
    console.info(
      `[integration] 200 concurrent on a server-expired token: 1 refresh, 400 /me, ${elapsed.toFixed(0)} ms`,
    );
  });

  it("the client knows the token expired: one refresh first, then 200 requests and no 401", async () => {
    let offset = 0;
    serverTime = () => Date.now() + offset;
    const clientClock: Clock = { ...systemClock, now: () => Date.now() + offset };
    const network = countingFetch();
    const client = nodeClient({ fetch: network.fetch, autoStart: false, clock: clientClock });
    await client.register({ email: newEmail(), password: PASSWORD });
    offset += 10_000;
    network.reset();

    const responses = await Promise.all(
      Array.from({ length: 200 }, () => client.fetch(`${base}/me`)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(network.count("/api/auth/refresh")).toBe(1);
    expect(network.count("/api/auth/me")).toBe(200);
  });

  it("the same through axios interceptors", async () => {
    let offset = 0;
    serverTime = () => Date.now() + offset;
    const network = countingFetch();
    const client = nodeClient({ fetch: network.fetch, autoStart: false });
    await client.register({ email: newEmail(), password: PASSWORD });
    const api = axios.create({ baseURL: base });
    client.axios(api);
    offset += 10_000;
    network.reset();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => api.get<{ user: { email: string } }>("/me")),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(network.count("/api/auth/refresh")).toBe(1);
  });
});

describe("minutes of simulated use with random network failures", () => {
  const seeds = (process.env.BATON_SEEDS ?? "1,2,3").split(",").map(Number);

  for (const seed of seeds) {
    it(`seed ${seed}: five simulated minutes, 2 s tokens, no session ending, no refresh.reused`, async () => {
      const clock = new ManualClock(Date.now());
      serverTime = () => clock.now();
      const network = new FaultyNetwork(
        {
          "/api/auth/refresh": {
            network: 0.08,
            "lost-response": 0.04,
            hang: 0.02,
            "hang-after-processing": 0.02,
            "503": 0.03,
            "429": 0.01,
          },
          "/api/auth/me": { network: 0.05, "lost-response": 0.02, hang: 0.01, "503": 0.02 },
        },
        seed,
        () => clock.now(),
      );
      const ended: SessionEndReason[] = [];
      const since = events.length;
      const trace: string[] = [];
      const at = () => ((clock.now() - simulatedStart) / 1000).toFixed(3);
      const simulatedStart = clock.now();
      network.onEvent = (line) => trace.push(`${at()} net ${line}`);
      const client = nodeClient({
        fetch: network.fetch,
        clock,
        onSessionEnded: (reason) => ended.push(reason),
        logger: {
          debug: (m, f) => trace.push(`${at()} ${m} ${JSON.stringify(f ?? {})}`),
          warn: (m, f) => trace.push(`${at()} WARN ${m} ${JSON.stringify(f ?? {})}`),
        },
      });
      await client.ready();
      // Registration itself is not under test: no faults for it.
      await client.register({ email: newEmail(), password: PASSWORD });

      const random = (() => {
        let x = seed * 7919;
        return () => (x = (x * 48271) % 2147483647) / 2147483647;
      })();
      const outcomes = { ok: 0, transient: 0, network: 0, other: 0 };
      /**
       * Waits for `work`: for the network while something is on the wire, otherwise lets clock
       * time pass (back-off waits, time-outs of hung requests, the proactive refresh timer).
       */
      const drive = async <T>(work: Promise<T>): Promise<T> => {
        let settled = false;
        const watched = work.finally(() => (settled = true));
        while (!settled) {
          await network.quiet();
          if (!settled) await clock.advance(100);
        }
        return watched;
      };
      const sessionEndedErrors: unknown[] = [];
      const started = clock.now();
      const realStart = performance.now();
      while (clock.now() - started < 5 * 60_000) {
        // A burst of parallel requests, then idle time.
        const burst = Array.from({ length: 1 + Math.floor(random() * 12) }, () => {
          // client.fetch, like fetch, has no time-out of its own: the app gives it a signal.
          const controller = new AbortController();
          const timer = clock.setTimeout(
            () => controller.abort(new DOMException("timed out", "TimeoutError")),
            8_000,
          );
          return client
            .fetch(`${base}/me`, { signal: controller.signal })
            .then(
              (response) =>
                response.ok
                  ? outcomes.ok++
                  : response.status >= 500
                    ? outcomes.network++
                    : outcomes.other++,
              (error: unknown) => {
                if (error instanceof SessionEndedError) sessionEndedErrors.push(error);
                else if (error instanceof BatonClientError && error.transient) outcomes.transient++;
                else if (
                  error instanceof TypeError ||
                  (error instanceof DOMException && error.name === "TimeoutError")
                )
                  outcomes.network++;
                else {
                  outcomes.other++;
                  console.error(error);
                }
              },
            )
            .finally(() => clock.clearTimeout(timer));
        });
        await drive(Promise.all(burst));
        const idle = Math.floor(random() * 3_000);
        for (let waited = 0; waited < idle; waited += 100) {
          await clock.advance(100);
          await network.quiet();
        }
      }
      const realMs = performance.now() - realStart;
      network.healed = true;

      if (ended.length > 0) console.error(trace.slice(-60).join("\n"));
      expect(ended).toEqual([]);
      expect(sessionEndedErrors).toEqual([]);
      expect(eventsOf("refresh.reused", since)).toBe(0);
      expect(outcomes.other).toBe(0);
      expect(client.status).toBe("authenticated");
      expect((await drive(client.fetch(`${base}/me`))).status).toBe(200);
      const refreshed = eventsOf("token.refreshed", since);
      const grace = eventsOf("refresh.grace", since);
      console.info(
        `[integration] seed ${seed}: ${(clock.now() - started) / 1000} simulated s in ${realMs.toFixed(0)} real ms; ` +
          `${network.count("/api/auth/refresh")} refresh requests (${refreshed} rotations, ${grace} grace answers); ` +
          `/me ok ${outcomes.ok}, failed ${outcomes.transient} (refresh unavailable) + ${outcomes.network} (the request's own network fault); faults ${JSON.stringify(Object.fromEntries(network.faults))}`,
      );
      expect(refreshed).toBeGreaterThan(100);
      client.dispose();
    });
  }
});

describe("the rest of the API, as a CLI would use it", () => {
  it("file store across restarts, sessions, password change, revocation, logout", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baton-cli-"));
    try {
      const path = join(dir, "session.json");
      const email = newEmail();
      const cli = nodeClient({ tokenStore: createFileTokenStore(path) });
      await expect(cli.ready()).resolves.toMatchObject({ status: "anonymous" });
      await cli.register({ email, password: PASSWORD, name: "Ada" });
      expect(cli.user).toMatchObject({ email, name: "Ada", roles: ["user"] });
      cli.dispose();

      // "Next run of the CLI": the session comes back from the file.
      const run2 = nodeClient({ tokenStore: createFileTokenStore(path) });
      await expect(run2.ready()).resolves.toMatchObject({
        status: "authenticated",
        user: { email },
      });
      expect((await run2.me()).email).toBe(email);

      // A second device.
      const phone = nodeClient();
      await phone.login({ email, password: PASSWORD });
      const sessions = await run2.sessions();
      expect(sessions).toHaveLength(2);
      const phoneSession = sessions.find((s) => !s.current)!;

      await run2.revokeSession(phoneSession.id);
      await expect(phone.refresh()).rejects.toMatchObject({ code: "SESSION_REVOKED" });
      expect(phone.status).toBe("anonymous");

      await run2.changePassword({ currentPassword: PASSWORD, newPassword: `${PASSWORD}!` });
      expect(run2.status).toBe("authenticated");
      expect((await run2.fetch(`${base}/me`)).status).toBe(200);
      await expect(run2.login({ email, password: PASSWORD })).rejects.toMatchObject({
        code: "INVALID_CREDENTIALS",
      });

      await expect(run2.logout()).resolves.toEqual({ serverConfirmed: true });
      const run3 = nodeClient({ tokenStore: createFileTokenStore(path) });
      await expect(run3.ready()).resolves.toMatchObject({ status: "anonymous" });
      run2.dispose();
      run3.dispose();
      phone.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a role change stales the user's token (TOKEN_EXPIRED): one refresh brings the new roles", async () => {
    const admin = nodeClient({ autoStart: false });
    await admin.login({ email: "admin@example.com", password: PASSWORD });
    const network = countingFetch();
    const user = nodeClient({ fetch: network.fetch, autoStart: false });
    const { id } = await user.register({ email: newEmail(), password: PASSWORD });

    const changed = await admin.fetch(`${base}/admin/users/${id}/roles`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ roles: ["user", "editor"] }),
    });
    expect(changed.status).toBe(200);
    network.reset();

    expect((await user.fetch(`${base}/me`)).status).toBe(200);
    expect(network.count("/api/auth/refresh")).toBe(1);
    expect(network.count("/api/auth/me")).toBe(2);
    expect(user.user?.roles).toEqual(["user", "editor"]);
    admin.dispose();
    user.dispose();
  });

  it("logoutAll ends every session of the user", async () => {
    const email = newEmail();
    const laptop = nodeClient();
    await laptop.register({ email, password: PASSWORD });
    const phone = nodeClient();
    await phone.login({ email, password: PASSWORD });
    await laptop.logoutAll();
    expect(laptop.status).toBe("anonymous");
    await expect(phone.refresh()).rejects.toBeInstanceOf(SessionEndedError);
    laptop.dispose();
    phone.dispose();
  });
});

describe("password reset", () => {
  it("requestPasswordReset mails a link; resetPassword signs in here and the other device learns why it was signed out", async () => {
    const email = newEmail();
    const laptop = nodeClient();
    await laptop.register({ email, password: PASSWORD });
    const ended: [SessionEndReason, unknown][] = [];
    laptop.on("sessionEnded", (reason, detail) => ended.push([reason, detail]));

    const phone = nodeClient();
    await phone.ready();
    await phone.requestPasswordReset(email.toUpperCase());
    await phone.requestPasswordReset("nobody@example.com");
    await server.baton.mail!.deliverDue();
    const mailed = server.baton
      .mail!.inbox!.messages()
      .filter((m) => m.to === email && m.link?.includes("reset-password"));
    expect(mailed).toHaveLength(1);
    const token = /#token=([\w-]+)/.exec(mailed[0]!.link ?? "")![1]!;

    await expect(phone.resetPassword({ token }, "short")).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    const user = await phone.resetPassword({ token }, `${PASSWORD} reset`);
    expect(user.email).toBe(email);
    expect(phone.status).toBe("authenticated");
    expect((await phone.fetch(`${base}/me`)).status).toBe(200);

    await expect(laptop.refresh()).rejects.toBeInstanceOf(SessionEndedError);
    expect(laptop.status).toBe("anonymous");
    expect(ended).toEqual([["SESSION_REVOKED", { revokedReason: "password-reset" }]]);

    // The link worked once; a typed error says so.
    const again = await phone.resetPassword({ token }, "another passphrase").catch((e) => e);
    expect(again).toBeInstanceOf(BatonClientError);
    expect(again).toMatchObject({ code: "LINK_INVALID", status: 400 });
    laptop.dispose();
    phone.dispose();
  });
});

describe("clients sharing one token store (body transport)", () => {
  it("each refresh re-reads the store, so a token another client rotated is never sent again", async () => {
    // Regression, found by the soak (`npm run soak -- --tabs shared`): a client kept its own copy
    // of the refresh token; once another client sharing the store rotated it and the grace
    // window passed, that copy looked like theft and ended the session.
    const store = createMemoryTokenStore();
    const a = nodeClient({ tokenStore: store, autoStart: false });
    const b = nodeClient({ tokenStore: store, autoStart: false });
    await a.register({ email: newEmail(), password: PASSWORD });
    await b.refresh(); // b reads the store and rotates: a's copy is now retired
    const offset = 11_000; // past the 10 s grace window of the token b retired
    serverTime = () => Date.now() + offset;
    const reusedBefore = eventsOf("refresh.reused");
    await a.refresh(); // a must send b's token from the store, not the one it registered with
    expect(eventsOf("refresh.reused") - reusedBefore).toBe(0);
    expect(a.status).toBe("authenticated");
    a.dispose();
    b.dispose();
  });
});

describe("email verification and email change through the client", () => {
  /** The newest captured mail to `to` (the server runs in development: the development inbox). */
  async function mailTo(to: string) {
    await server.baton.mail!.deliverDue();
    const mail = server.baton.mail!.inbox!.messages().find((message) => message.to === to);
    if (mail === undefined) throw new Error(`no mail to ${to}`);
    return { text: mail.text, token: /#token=([A-Za-z0-9_-]+)/.exec(mail.link ?? "")![1]! };
  }

  it("verifies with the link, changes the address, and undoes it (signed out everywhere)", async () => {
    const email = newEmail();
    const client = nodeClient();
    expect((await client.register({ email, password: PASSWORD })).emailVerified).toBe(false);
    const user = await client.verifyEmail({ token: (await mailTo(email)).token });
    expect(user.emailVerified).toBe(true);
    expect(client.user?.emailVerified).toBe(true);
    await expect(client.resendVerification()).resolves.toBeUndefined();

    const changed = newEmail();
    await expect(
      client.changeEmail({ newEmail: changed, password: "wrong password" }),
    ).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    await client.changeEmail({ newEmail: changed, password: PASSWORD });
    await client.verifyEmail({ token: (await mailTo(changed)).token });
    expect(client.user?.email).toBe(changed);

    const undo = (await mailTo(email)).token;
    const ended: SessionEndReason[] = [];
    client.on("sessionEnded", (reason) => ended.push(reason));
    await client.undoEmailChange({ token: undo });
    expect([client.status, ended]).toEqual(["anonymous", ["SESSION_REVOKED"]]);
    await expect(client.undoEmailChange({ token: undo })).rejects.toMatchObject({
      code: "LINK_INVALID",
    });
    expect((await nodeClient().login({ email, password: PASSWORD })).email).toBe(email);
  });
});

import { randomUUID } from "node:crypto";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestClient } from "../support/http-client.js";
import { PASSWORD, signUp, startTestServer, type TestServer } from "../support/test-server.js";
import { consistencyProblems, expectError, withDatabase } from "./support/attack-kit.js";

// Credential attacks: brute force and credential stuffing (lockouts), user enumeration through
// answers, spelling tricks with emails, password length and encoding edge cases, and injection
// strings in every field. Timing of login is measured separately (timing.attacks.test.ts).

const LOCKOUT = "OWASP ASVS 2.2.1; OWASP WSTG-ATHN-03";
const login = (
  server: TestServer,
  email: string,
  password: string,
  headers: Record<string, string> = {},
) => server.client().post("/api/auth/login", { email, password }, { headers });

describe("brute force per account", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("fastify");
  });
  afterAll(() => server.close());

  it(`five wrong passwords lock the account: the sixth try, even with the right password, is 429 with Retry-After — ${LOCKOUT}`, async () => {
    await signUp(server, "ada@example.com");
    for (let i = 0; i < 5; i++)
      expectError(await login(server, "ada@example.com", `wrong ${i}`), "INVALID_CREDENTIALS");
    const locked = await login(server, "ada@example.com", PASSWORD);
    expectError(locked, "RATE_LIMITED");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(server.events.some((e) => e.type === "login.locked")).toBe(true);

    server.clock.advance(retryAfter * 1000 - 1_000);
    expectError(await login(server, "ada@example.com", PASSWORD), "RATE_LIMITED");
    server.clock.advance(1_000);
    expect((await login(server, "ada@example.com", PASSWORD)).status).toBe(200);
  });

  it(`re-spelling the email (case, width, spaces) does not escape the account's counter — ${LOCKOUT}`, async () => {
    await signUp(server, "bob@example.com");
    for (const spelling of [
      "BOB@example.com",
      "bob@EXAMPLE.com",
      " bob@example.com ",
      "ｂｏｂ@example.com",
      "Bob@Example.Com",
    ])
      expectError(await login(server, spelling, "wrong password"), "INVALID_CREDENTIALS");
    expectError(await login(server, "bob@example.com", PASSWORD), "RATE_LIMITED");
  });

  it(`a spoofed X-Forwarded-For changes nothing without a trusted proxy — ${LOCKOUT}; RFC 7239 §8.1`, async () => {
    await signUp(server, "carol@example.com");
    for (let i = 0; i < 5; i++)
      await login(server, "carol@example.com", "wrong password", {
        "x-forwarded-for": `198.51.100.${i}`,
      });
    expectError(
      await login(server, "carol@example.com", PASSWORD, { "x-forwarded-for": "198.51.100.200" }),
      "RATE_LIMITED",
    );
  });

  it(`an unknown email locks exactly like a known one: a lockout reveals no account — ${LOCKOUT}; OWASP WSTG-IDNT-04`, async () => {
    const known = [];
    const unknown = [];
    await signUp(server, "dave@example.com");
    for (let i = 0; i < 6; i++) {
      known.push((await login(server, "dave@example.com", "wrong password")).body.error.code);
      unknown.push(
        (await login(server, "nobody-dave@example.com", "wrong password")).body.error.code,
      );
    }
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toBe("RATE_LIMITED");
  });

  it(`the owner's typos on a device that signed in before spend that device's budget, and a success starts it afresh — OWASP Authentication Cheat Sheet (device cookies)`, async () => {
    await signUp(server, "fay@example.com");
    const laptop = server.client();
    const attempt = (password: string) =>
      laptop.post("/api/auth/login", { email: "fay@example.com", password });
    expect((await attempt(PASSWORD)).status).toBe(200);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expectError(await attempt("typo typo"), "INVALID_CREDENTIALS");
      expect((await attempt(PASSWORD)).status).toBe(200);
    }
  });
});

describe("concurrent guesses are counted before they are evaluated (reserve, then settle)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("fastify", { loginMaxFailures: 5 });
  });
  afterAll(() => server.close());

  /** Password checks the server ran for this user: each failure and each success is recorded. */
  const evaluated = (userId: string) =>
    server.events.filter(
      (e) => e.userId === userId && (e.type === "login.failed" || e.type === "login.succeeded"),
    ).length;

  it(`41 concurrent logins (40 wrong, 1 right) with LOGIN_MAX_FAILURES=5 evaluate at most 5 passwords — regression (issue 12 item 3); ${LOCKOUT}`, async () => {
    const { user } = await signUp(server, "burst@example.com");
    const answers = await Promise.all(
      Array.from({ length: 41 }, (_, i) =>
        login(server, "burst@example.com", i === 20 ? PASSWORD : `wrong guess ${i}`),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(evaluated(user.id)).toBeLessThanOrEqual(5);
    expect(statuses.filter((status) => status !== 429).length).toBe(evaluated(user.id));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(36);
    for (const answer of answers.filter((a) => a.status === 429))
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it(`20 concurrent wrong current passwords on one session's /password evaluate at most 5 — ${LOCKOUT}`, async () => {
    const gus = await signUp(server, "gus@example.com");
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gus.client.post(
          "/api/auth/password",
          { currentPassword: `guess ${i}!`, newPassword: "a new passphrase" },
          { token: gus.accessToken },
        ),
      ),
    );
    const failed = server.events.filter(
      (e) => e.userId === gus.user.id && e.type === "login.failed",
    ).length;
    expect(failed).toBeLessThanOrEqual(5);
    expect(answers.filter((a) => a.status === 401).length).toBe(failed);
    expect(answers.filter((a) => a.status === 429).length).toBe(20 - failed);
  });
});

describe("no lockout button: a device that signed in before keeps its own budget (device cookies)", () => {
  const DEVICE = "OWASP Slow Down Online Guessing Attacks with Device Cookies; OWASP ASVS 2.2.1";
  let server: TestServer;
  beforeAll(async () => {
    // Behind a trusted proxy so each request can speak for a distinct client address.
    server = await startTestServer("fastify", { trustProxy: true });
  });
  afterAll(() => server.close());
  let n = 0;
  /** A fresh attacker address for every guess: the botnet case. */
  const elsewhere = () => {
    n += 1;
    return { "x-forwarded-for": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
  };
  const lockUntrusted = async (email: string) => {
    for (let i = 0; i < 10; i++) await login(server, email, `attacker guess ${i}`, elsewhere());
    expectError(await login(server, email, PASSWORD, elsewhere()), "RATE_LIMITED");
  };
  const passwordChecks = (userId: string) =>
    server.events.filter(
      (e) => e.userId === userId && (e.type === "login.failed" || e.type === "login.succeeded"),
    );
  const deviceCookieOf = (client: TestClient) => {
    const found = [...client.jar].find(([cookie]) => cookie.includes("device"));
    if (found === undefined) throw new Error("no device cookie in the jar");
    return found;
  };

  it(`the owner, from a browser that signed in before, signs in after 10 attacker guesses from 10 other addresses — regression (issue 12 item 5); ${DEVICE}`, async () => {
    const owner = await signUp(server, "owner@example.com");
    const ownerLogin = () =>
      owner.client.post(
        "/api/auth/login",
        { email: "owner@example.com", password: PASSWORD },
        { headers: { "x-forwarded-for": "198.51.100.77" } },
      );
    expect((await ownerLogin()).status).toBe(200);
    const attacker: number[] = [];
    for (let i = 0; i < 10; i++)
      attacker.push((await login(server, "owner@example.com", `guess ${i}`, elsewhere())).status);
    expect(attacker).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    // A client that never signed in (no device cookie) is refused, even with the password ...
    expectError(await login(server, "owner@example.com", PASSWORD, elsewhere()), "RATE_LIMITED");
    // ... while the owner's browser gets in.
    expect((await ownerLogin()).status).toBe(200);
  });

  it(`an attacker spreading guesses over many addresses gets at most 5 evaluated per 15 minutes: 20 per hour, never more than 25 within any 60 minutes — ${DEVICE}`, async () => {
    const { user } = await signUp(server, "target@example.com");
    const started = server.clock.now();
    // Three hours, a burst of 8 concurrent guesses from 8 new addresses every minute.
    for (let minute = 0; minute < 180; minute++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          login(server, "target@example.com", `botnet ${minute}-${i}`, elsewhere()),
        ),
      );
      server.clock.advance(60_000);
    }
    const times = passwordChecks(user.id).map((e) => e.at - started);
    expect(times.length).toBe(12 * 5);
    for (const at of times)
      expect(times.filter((t) => t >= at && t < at + 3_600_000).length).toBeLessThanOrEqual(25);
    for (let hour = 0; hour < 3; hour++)
      expect(times.filter((t) => t >= hour * 3_600_000 && t < (hour + 1) * 3_600_000).length).toBe(
        20,
      );
  });

  it(`a forged, altered or foreign device cookie, or garbage, is treated as absent — ${DEVICE}`, async () => {
    const kim = await signUp(server, "kim@example.com");
    const mallory = await signUp(server, "mallory@example.com");
    await lockUntrusted("kim@example.com");
    const [name, value] = deviceCookieOf(kim.client);
    const malloryDevice = deviceCookieOf(mallory.client)[1];
    const flipped = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
    for (const cookie of [
      flipped(value, 3),
      flipped(value, value.length - 2),
      malloryDevice,
      `${value}x`,
      value.split(".").reverse().join("."),
      "garbage",
      "",
      "~".repeat(500),
      `${malloryDevice}~${flipped(value, 5)}`,
    ]) {
      const answer = await login(server, "kim@example.com", PASSWORD, {
        ...elsewhere(),
        cookie: `${name}=${cookie}`,
      });
      expectError(answer, "RATE_LIMITED");
    }
    // Kim's own cookie is honoured, also behind a stray one sent first (cookie tossing).
    for (const cookie of [`${name}=${value}`, `${name}=${malloryDevice}; ${name}=${value}`])
      expect(
        (await login(server, "kim@example.com", PASSWORD, { ...elsewhere(), cookie })).status,
      ).toBe(200);
  });

  it(`a device cookie that spends its own budget locks that device only — ${DEVICE}`, async () => {
    const lee = await signUp(server, "lee@example.com");
    const laptop = server.client();
    const fromLaptop = (password: string) =>
      laptop.post("/api/auth/login", { email: "lee@example.com", password });
    expect((await fromLaptop(PASSWORD)).status).toBe(200);
    for (let i = 0; i < 5; i++) expectError(await fromLaptop(`oops ${i}`), "INVALID_CREDENTIALS");
    const locked = await fromLaptop(PASSWORD);
    expectError(locked, "RATE_LIMITED");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // The phone that signed up, and a browser that never signed in, are not affected.
    expect(
      (await lee.client.post("/api/auth/login", { email: "lee@example.com", password: PASSWORD }))
        .status,
    ).toBe(200);
    expect((await login(server, "lee@example.com", PASSWORD, elsewhere())).status).toBe(200);
  });

  it(`a password change makes every device cookie issued before it worthless — ${DEVICE}`, async () => {
    const max = await signUp(server, "max@example.com");
    const oldBrowser = server.client();
    await oldBrowser.post("/api/auth/login", { email: "max@example.com", password: PASSWORD });
    const changed = await max.client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "a new passphrase" },
      { token: max.accessToken },
    );
    expect(changed.status).toBe(200);
    for (let i = 0; i < 5; i++) await login(server, "max@example.com", `guess ${i}`, elsewhere());
    const answer = await oldBrowser.post("/api/auth/login", {
      email: "max@example.com",
      password: "a new passphrase",
    });
    expectError(answer, "RATE_LIMITED");
  });

  it(`the owner's password change works while the login is locked for other clients — regression (issue 12 item 5); ${DEVICE}`, async () => {
    const ned = await signUp(server, "ned@example.com");
    await lockUntrusted("ned@example.com");
    const changed = await ned.client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "a new passphrase" },
      { token: ned.accessToken },
    );
    expect(changed.status).toBe(200);
  });

  it(`wrong current passwords at /password spend that session's own budget: they lock neither the login nor another session — ${LOCKOUT}`, async () => {
    const erin = await signUp(server, "erin@example.com");
    const other = server.client();
    const otherToken = (
      await other.post("/api/auth/login", { email: "erin@example.com", password: PASSWORD })
    ).body.accessToken as string;
    const change = (client: TestClient, token: string, currentPassword: string) =>
      client.post(
        "/api/auth/password",
        { currentPassword, newPassword: "a new passphrase" },
        { token },
      );
    for (let i = 0; i < 5; i++)
      expectError(
        await change(erin.client, erin.accessToken, `guess ${i}!`),
        "INVALID_CREDENTIALS",
      );
    const locked = await change(erin.client, erin.accessToken, PASSWORD);
    expectError(locked, "RATE_LIMITED");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login(server, "erin@example.com", PASSWORD, elsewhere())).status).toBe(200);
    expect((await change(other, otherToken, PASSWORD)).status).toBe(200);
  });

  it(`the device cookie is HttpOnly, SameSite, Path = base path and a year long, outlives logout, and is not set with body transport — ${DEVICE}; RFC 6265bis`, async () => {
    const { response, client } = await signUp(server, "olga@example.com");
    const device = response.setCookies.find((line) => line.includes("device"));
    expect(device).toMatch(/HttpOnly/i);
    expect(device).toMatch(/SameSite=Strict/i);
    expect(device).toMatch(/Path=\/api\/auth(;|$)/);
    expect(Number(/Max-Age=(\d+)/i.exec(device!)?.[1])).toBe(365 * 86_400);
    expect(device).not.toMatch(/Secure/i);
    const logout = await client.post("/api/auth/logout");
    expect(logout.setCookies.some((line) => line.includes("device"))).toBe(false);
    const native = await server.client().post("/api/auth/login", {
      email: "olga@example.com",
      password: PASSWORD,
      transport: "body",
    });
    expect(native.status).toBe(200);
    expect(native.setCookies).toEqual([]);
  });
});

describe("brute force per IP (credential stuffing across many accounts)", () => {
  let server: TestServer;
  beforeAll(async () => {
    // Behind a trusted proxy so each test request can speak for a distinct client address.
    server = await startTestServer("fastify", { trustProxy: true, loginMaxFailuresPerIp: 12 });
    await signUp(server, "target@example.com");
  });
  afterAll(() => server.close());

  it(`failures spread over many accounts from one address lock that address (429 + Retry-After), and only it — ${LOCKOUT}`, async () => {
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    for (let i = 0; i < 12; i++)
      expectError(
        await login(server, `stuffed-${i}@example.com`, "Password1!", from("203.0.113.7")),
        "INVALID_CREDENTIALS",
      );
    const locked = await login(server, "target@example.com", PASSWORD, from("203.0.113.7"));
    expectError(locked, "RATE_LIMITED");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // A colleague behind another address is not affected.
    expect((await login(server, "target@example.com", PASSWORD, from("203.0.113.8"))).status).toBe(
      200,
    );
    server.clock.advance(Number(locked.headers.get("retry-after")) * 1000);
    expect((await login(server, "target@example.com", PASSWORD, from("203.0.113.7"))).status).toBe(
      200,
    );
  });

  it(`every address of one IPv6 /64, every spelling of an address and its IPv4-mapped form spend one budget — regression (issue 12 item 7); ${LOCKOUT}; RFC 5952, RFC 4291 §2.5.5.2`, async () => {
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    const sixtyFour = Array.from(
      { length: 12 },
      (_, i) => `2001:db8:7:7:${i.toString(16)}::${i + 1}`,
    );
    for (const [i, address] of sixtyFour.entries())
      expectError(
        await login(server, `rotating-${i}@example.com`, "Password1!", from(address)),
        "INVALID_CREDENTIALS",
      );
    expectError(
      await login(server, "target@example.com", PASSWORD, from("2001:DB8:7:7:ffff:ffff:ffff:fffe")),
      "RATE_LIMITED",
    );
    // Another /64 is another customer.
    expect(
      (await login(server, "target@example.com", PASSWORD, from("2001:db8:7:8::1"))).status,
    ).toBe(200);

    const spellings = [
      "198.51.100.23",
      "::ffff:198.51.100.23",
      "::FFFF:C633:6417",
      "0:0:0:0:0:ffff:c633:6417",
    ];
    for (let i = 0; i < 12; i++)
      expectError(
        await login(server, `spelled-${i}@example.com`, "Password1!", from(spellings[i % 4]!)),
        "INVALID_CREDENTIALS",
      );
    for (const spelling of spellings)
      expectError(
        await login(server, "target@example.com", PASSWORD, from(spelling)),
        "RATE_LIMITED",
      );
  });
});

describe("user enumeration", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("fastify");
    await signUp(server, "ada@example.com");
  });
  afterAll(() => server.close());

  it("an unknown email and a wrong password get identical answers (status, body, headers) — OWASP WSTG-IDNT-04, OWASP ASVS 2.2", async () => {
    const wrong = await login(server, "ada@example.com", "not the password");
    const unknown = await login(server, "nobody@example.com", "not the password");
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body).toEqual(wrong.body);
    const headers = (response: typeof wrong) =>
      [...response.headers].filter(
        ([name]) => !["date", "content-length", "keep-alive", "connection"].includes(name),
      );
    expect(headers(unknown)).toEqual(headers(wrong));
  });

  it("a malformed email gets the same INVALID_CREDENTIALS answer at login — OWASP WSTG-IDNT-04", async () => {
    const malformed = await login(server, "not-an-email", "not the password");
    const wrong = await login(server, "ada@example.com", "not the password");
    expect(malformed.body).toEqual(wrong.body);
  });
});

describe("email spelling variants normalise to one account", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("fastify");
    await signUp(server, "Ada@Example.COM");
    await signUp(server, "josé@example.com");
    await signUp(server, "kate@example.com");
    await signUp(server, "jeff@example.com."); // stored without the trailing dot
  });
  afterAll(() => server.close());

  it.each([
    ["lower case", "ada@example.com"],
    ["upper case", "ADA@EXAMPLE.COM"],
    ["surrounding spaces", "  ada@example.com\t"],
    ["full-width letters, @ and dot", "ＡＤＡ＠ｅｘａｍｐｌｅ．ｃｏｍ"],
    ["a decomposed é (NFD)", "jose\u0301@example.com"],
    ["the Kelvin sign for K", "\u212Aate@example.com"],
    ["the ﬀ ligature", "je\uFB00@example.com"],
    ["the trailing dot of a fully qualified domain", "kate@example.com."],
    ["a full-width trailing dot", "ADA@EXAMPLE.COM．"],
  ])(
    "%s (%j) is the same account: EMAIL_TAKEN at sign-up, and it signs in — UTS #15 (NFKC); OWASP WSTG-IDNT-04",
    async (_what, spelling) => {
      expectError(
        await server.client().post("/api/auth/register", { email: spelling, password: PASSWORD }),
        "EMAIL_TAKEN",
      );
      expect((await login(server, spelling, PASSWORD)).status).toBe(200);
    },
  );

  it.each([
    ["a zero-width space", "ada\u200B@example.com"],
    ["a right-to-left override", "ada\u202E@example.com"],
    ["a soft hyphen", "a\u00ADda@example.com"],
    ["a NUL byte", "ada\u0000@example.com"],
    ["two trailing dots", "ada@example.com.."],
    ["an empty domain label", "ada@example..com"],
  ])(
    "an email with %s is refused, not silently a second account — UTS #39 §3 (invisible characters); RFC 1035 §2.3.1 (labels)",
    async (_what, spelling) => {
      expectError(
        await server.client().post("/api/auth/register", { email: spelling, password: PASSWORD }),
        "VALIDATION_FAILED",
      );
    },
  );

  it("no two stored emails are spellings of one mailbox — OWASP ASVS 2.1", () => {
    expect(consistencyProblems(server)).toEqual([]);
    const emails = withDatabase(server, (db) => db.prepare("select email from users").all()) as {
      email: string;
    }[];
    expect(emails.map((row) => row.email).sort()).toEqual([
      "ada@example.com",
      "jeff@example.com",
      "josé@example.com",
      "kate@example.com",
    ]);
  });
});

describe("password length and encoding", () => {
  let server: TestServer;
  let counter = 0;
  beforeAll(async () => {
    server = await startTestServer("fastify", { loginMaxFailures: 1000 });
  });
  afterAll(() => server.close());
  const register = (password: unknown) =>
    server.client().post("/api/auth/register", { email: `pw-${++counter}@example.com`, password });

  it.each([
    ["7 characters", "x".repeat(7), 400],
    ["8 characters", "x".repeat(8), 201],
    ["256 characters", "x".repeat(256), 201],
    ["257 characters", "x".repeat(257), 400],
    ["256 emoji (512 UTF-16 units, counted as 256 code points)", "🔑".repeat(256), 201],
    ["257 emoji", "🔑".repeat(257), 400],
    ["a number instead of a string", 12345678, 400],
  ])(
    "a password of %s answers %i — NIST SP 800-63B §5.1.1.2; OWASP ASVS 2.1.2",
    async (_what, password, status) => {
      const response = await register(password);
      expect(response.status).toBe(status);
      if (status === 400) expectError(response, "VALIDATION_FAILED");
    },
  );

  it.each([
    [
      "ASCII: 72 bytes then a different tail",
      "a".repeat(72) + "-first-tail",
      "a".repeat(72) + "-other-tail",
    ],
    [
      "2-byte é: 80 bytes then a different last character",
      "é".repeat(40) + "x",
      "é".repeat(40) + "y",
    ],
    [
      "4-byte emoji: 100 bytes then a different last character",
      "🔐".repeat(25) + "1",
      "🔐".repeat(25) + "2",
    ],
  ])(
    "passwords past 72 bytes are not truncated (%s) — OWASP ASVS 2.1.3",
    async (_what, password, variant) => {
      const email = `long-${++counter}@example.com`;
      expect((await server.client().post("/api/auth/register", { email, password })).status).toBe(
        201,
      );
      expectError(await login(server, email, variant), "INVALID_CREDENTIALS");
      expect((await login(server, email, password)).status).toBe(200);
    },
  );

  it("a NUL byte does not end the password (C-string truncation) — OWASP ASVS 2.1.3", async () => {
    const email = `nul-${++counter}@example.com`;
    await server.client().post("/api/auth/register", { email, password: "abcdefgh\u0000first" });
    expectError(await login(server, email, "abcdefgh\u0000second"), "INVALID_CREDENTIALS");
    expectError(await login(server, email, "abcdefgh"), "INVALID_CREDENTIALS");
  });

  it("Unicode-equivalent spellings of one password are the same password (positive control) — NIST SP 800-63B §5.1.1.2", async () => {
    const email = `nfkc-${++counter}@example.com`;
    await server
      .client()
      .post("/api/auth/register", { email, password: "e\u0301tude-\uFB00-2024" });
    expect((await login(server, email, "\u00E9tude-ff-2024")).status).toBe(200);
  });

  it.each([
    ["a lone high surrogate", "abcdefgh\uD800"],
    ["a lone low surrogate", "abcdefgh\uDC00"],
    ["a reversed surrogate pair", "abcdefgh\uDC00\uD800"],
  ])(
    "a password with %s is refused instead of colliding with U+FFFD — regression; RFC 8259 §8.2, RFC 8725 §3.7",
    async (_what, password) => {
      expectError(await register(password), "VALIDATION_FAILED");
    },
  );

  it("an imported bcrypt hash is upgraded on first login, after which bytes past 72 count — OWASP ASVS 2.4.1, 2.1.3", async () => {
    const long = "b".repeat(72) + "-the-real-tail";
    const id = randomUUID();
    await server.baton.store.createUser({
      id,
      email: "imported@example.com",
      name: null,
      passwordHash: await bcryptHash(long, { cost: 10 }),
      roles: ["user"],
      createdAt: server.clock.now(),
    });
    expect((await login(server, "imported@example.com", long)).status).toBe(200);
    const stored = withDatabase(server, (db) =>
      db.prepare("select password_hash from users where id = ?").get(id),
    ) as {
      password_hash: string;
    };
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expectError(
      await login(server, "imported@example.com", "b".repeat(72) + "-another-tail"),
      "INVALID_CREDENTIALS",
    );
  });
});

describe("injection strings in every field", () => {
  const payloads = [
    "' OR '1'='1",
    "ada@example.com'--",
    '"; DROP TABLE users; --',
    "' UNION SELECT password_hash FROM users --",
    "1; SELECT sqlite_version()",
    "%' OR 1=1 --",
    "'; WAITFOR DELAY '0:0:5'--",
    '{"$ne": null}',
    "[$ne]=1",
    "' || '1'=='1",
    "$where: 'sleep(1000) || 1 == 1'",
    "ada@example.com\u0000' OR 1=1",
    "${7*7}{{7*7}}<%= 7*7 %>",
    "../../../../etc/passwd",
  ];
  let server: TestServer;
  let adminToken: string;
  let user: Awaited<ReturnType<typeof signUp>>;
  let counter = 0;
  beforeAll(async () => {
    server = await startTestServer("fastify", {
      adminEmail: "root@example.com",
      adminPassword: "admin-password-1",
      loginMaxFailures: 1000,
      loginMaxFailuresPerIp: 10_000,
    });
    adminToken = (await login(server, "root@example.com", "admin-password-1")).body.accessToken;
    user = await signUp(server, "ada@example.com");
  });
  afterAll(() => server.close());

  const tables = () =>
    withDatabase(server, (db) =>
      db.prepare("select name from sqlite_master where type = 'table' order by name").all(),
    );

  it.each(payloads)(
    "SQL/NoSQL/template injection %j in every field changes nothing — OWASP ASVS 5.3.4, 5.3.5; OWASP WSTG-INPV-05",
    async (payload) => {
      const before = { tables: tables(), problems: consistencyProblems(server) };
      const client = server.client();
      const answers = [
        await client.post("/api/auth/login", { email: payload, password: PASSWORD }),
        await client.post("/api/auth/login", { email: "ada@example.com", password: payload }),
        await client.post("/api/auth/login", {
          email: `${payload}@example.com`,
          password: payload,
        }),
        await client.post("/api/auth/refresh", { refreshToken: payload }),
        await client.post("/api/auth/logout", { refreshToken: payload }),
        await client.post("/api/auth/revoke", { refreshToken: payload }),
        await client.request("DELETE", `/api/auth/sessions/${encodeURIComponent(payload)}`, {
          token: user.accessToken,
        }),
        await client.request("PUT", `/api/auth/admin/users/${encodeURIComponent(payload)}/roles`, {
          token: adminToken,
          json: { roles: ["user"] },
        }),
        await client.request("PUT", `/api/auth/admin/users/${user.user.id}/roles`, {
          token: adminToken,
          json: { roles: [payload] },
        }),
        await client.request("DELETE", `/api/auth/admin/users/${encodeURIComponent(payload)}`, {
          token: adminToken,
        }),
        await client.get(`/api/auth/admin/users?limit=${encodeURIComponent(payload)}`, adminToken),
        await client.post(
          "/api/auth/password",
          { currentPassword: payload, newPassword: "a new passphrase" },
          { token: user.accessToken },
        ),
      ];
      // An odd but well-formed address (quotes are legal) may sign up: as itself, never as Ada.
      const registered = await client.post("/api/auth/register", {
        email: payload,
        password: PASSWORD,
      });
      if (registered.status === 201) {
        expect(registered.body.user.email).toBe(payload.normalize("NFKC").trim().toLowerCase());
        expect(registered.body.user.id).not.toBe(user.user.id);
      } else expectError(registered, "VALIDATION_FAILED");
      for (const answer of answers) {
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
        expect([200, 201].includes(answer.status) && answer.body?.accessToken !== undefined).toBe(
          false,
        );
      }
      // A name is free text: it is stored exactly as given (NFKC), never interpreted.
      const named = await client.post("/api/auth/register", {
        email: `named-${++counter}@example.com`,
        password: PASSWORD,
        name: payload,
      });
      if (named.status === 201) expect(named.body.user.name).toBe(payload.normalize("NFKC").trim());
      else expectError(named, "VALIDATION_FAILED");
      expect(tables()).toEqual(before.tables);
      expect(consistencyProblems(server)).toEqual([]);
      expect((await client.get("/api/auth/me", user.accessToken)).body.user.roles).toEqual([
        "user",
      ]);
    },
  );

  it.each([
    ["email", { email: { $ne: null }, password: PASSWORD }],
    ["email", { email: { $gt: "" }, password: PASSWORD }],
    ["password", { email: "ada@example.com", password: { $ne: null } }],
    ["password", { email: "ada@example.com", password: { $regex: ".*" } }],
    ["email", { email: ["ada@example.com"], password: PASSWORD }],
  ])(
    "a NoSQL operator object in %s (%j) is VALIDATION_FAILED, never a login — OWASP WSTG-INPV-05.6",
    async (_field, body) => {
      expectError(await server.client().post("/api/auth/login", body), "VALIDATION_FAILED");
    },
  );

  it.each([
    ["roles", { roles: ["admin"] }],
    ["admin", { admin: true }],
    ["id", { id: "00000000-0000-0000-0000-000000000000" }],
    ["passwordHash", { passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y" }],
    ["tokenVersion", { tokenVersion: -1 }],
  ])(
    "mass assignment of %s at sign-up is refused — OWASP ASVS 5.1.2; OWASP API3:2023",
    async (_field, extra) => {
      const response = await server.client().post("/api/auth/register", {
        email: `mass-${++counter}@example.com`,
        password: PASSWORD,
        ...extra,
      });
      expectError(response, "VALIDATION_FAILED");
    },
  );
});

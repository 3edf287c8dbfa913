import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBaton, type ErrorCode } from "@baton/server";
import { PASSWORD, signUp, startTestServer, type TestServer } from "../support/test-server.js";
import { describeEachAdapter } from "../support/each-adapter.js";
import { expectError, rawRequest, withDatabase } from "./support/attack-kit.js";

// Cookie-borne credentials: cross-site request forgery against every cookie-authenticated route,
// the refresh cookie's attributes, and what happens to the cookie when a session ends.

const ALLOWED = "https://app.example.com";
const CSRF_SHEET = "OWASP CSRF Prevention Cheat Sheet; OWASP ASVS 4.2.2";

interface CsrfCase {
  attack: string;
  source: string;
  path: string;
  headers: Record<string, string>;
  /** Sent as is (with the headers' content type); JSON bodies set their own content type. */
  rawBody?: string;
  json?: unknown;
  /** One code, or any of several where the adapters' media-type parsers differ. */
  expect: ErrorCode | ErrorCode[] | "passes";
}

const refresh = (
  attack: string,
  source: string,
  headers: Record<string, string>,
  expectation: CsrfCase["expect"],
  rawBody?: string,
): CsrfCase => ({
  attack,
  source,
  path: "/api/auth/refresh",
  headers,
  expect: expectation,
  rawBody,
});

const csrfCases: CsrfCase[] = [
  refresh(
    "a cross-site Origin is refused",
    CSRF_SHEET,
    { origin: "https://evil.example" },
    "CSRF_FAILED",
  ),
  refresh(
    "Origin: null (sandboxed iframe, data: URL) is refused",
    `${CSRF_SHEET}; RFC 6454 §7.3`,
    { origin: "null" },
    "CSRF_FAILED",
  ),
  refresh(
    "a same-site sibling origin that is not allowed is refused",
    `${CSRF_SHEET}; RFC 6265bis §8.8 (same-site is not same-origin)`,
    { origin: "https://static.app.example.com", "sec-fetch-site": "same-site" },
    "CSRF_FAILED",
  ),
  refresh(
    "the allowed origin over http instead of https is refused",
    CSRF_SHEET,
    { origin: "http://app.example.com" },
    "CSRF_FAILED",
  ),
  refresh(
    "the allowed origin on another port is refused",
    CSRF_SHEET,
    { origin: "https://app.example.com:8443" },
    "CSRF_FAILED",
  ),
  refresh(
    "a suffix look-alike of the allowed origin is refused",
    `${CSRF_SHEET} (no prefix matching)`,
    { origin: "https://app.example.com.evil.example" },
    "CSRF_FAILED",
  ),
  refresh(
    "a prefix look-alike of the allowed origin is refused",
    `${CSRF_SHEET} (no suffix matching)`,
    { origin: "https://evilapp.example.com" },
    "CSRF_FAILED",
  ),
  refresh(
    "the allowed origin in upper case is refused (exact match)",
    CSRF_SHEET,
    { origin: "HTTPS://APP.EXAMPLE.COM" },
    "CSRF_FAILED",
  ),
  refresh(
    "Sec-Fetch-Site: cross-site without an Origin is refused",
    `${CSRF_SHEET} (Fetch Metadata); W3C Fetch Metadata §2.1`,
    { "sec-fetch-site": "cross-site" },
    "CSRF_FAILED",
  ),
  refresh(
    "Sec-Fetch-Site: cross-site with a foreign Origin is refused",
    "W3C Fetch Metadata §2.1",
    { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    "CSRF_FAILED",
  ),
  refresh(
    "a form post (application/x-www-form-urlencoded) is refused",
    `${CSRF_SHEET} ('disallowing simple requests')`,
    { "content-type": "application/x-www-form-urlencoded" },
    "CSRF_FAILED",
    "refreshToken=x",
  ),
  refresh(
    "a multipart form post is refused",
    CSRF_SHEET,
    { "content-type": "multipart/form-data; boundary=x" },
    "CSRF_FAILED",
    "--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--\r\n",
  ),
  refresh(
    "a text/plain post is refused",
    CSRF_SHEET,
    { "content-type": "text/plain" },
    "CSRF_FAILED",
    "hello",
  ),
  refresh(
    "a text/plain post carrying JSON (the classic JSON CSRF) is refused",
    `${CSRF_SHEET}; PortSwigger 'CSRF where token validation depends on request method'`,
    { "content-type": "text/plain;charset=UTF-8" },
    "CSRF_FAILED",
    '{"transport":"body"}',
  ),
  refresh(
    "TEXT/PLAIN with odd spacing and casing is refused",
    CSRF_SHEET,
    { "content-type": "TEXT/Plain ; charset=utf-8" },
    "CSRF_FAILED",
    "{}",
  ),
  refresh(
    "a body without any content type is UNSUPPORTED_MEDIA_TYPE",
    "RFC 9110 §15.5.16",
    {},
    "UNSUPPORTED_MEDIA_TYPE",
    '{"transport":"body"}',
  ),
  refresh(
    "application/xml is UNSUPPORTED_MEDIA_TYPE",
    "RFC 9110 §15.5.16",
    { "content-type": "application/xml" },
    "UNSUPPORTED_MEDIA_TYPE",
    "<a/>",
  ),
  refresh(
    "a content-type list (application/json, text/plain) is refused",
    "RFC 9110 §8.3 (one media type)",
    { "content-type": "application/json, text/plain" },
    ["UNSUPPORTED_MEDIA_TYPE", "VALIDATION_FAILED"],
    "{}",
  ),
  refresh(
    "positive control: no Origin and no Fetch Metadata (curl, native apps) passes",
    CSRF_SHEET,
    {},
    "passes",
  ),
  refresh(
    "positive control: the allowed origin passes",
    CSRF_SHEET,
    { origin: ALLOWED, "sec-fetch-site": "same-site" },
    "passes",
  ),
  refresh(
    "positive control: an allowed origin on another site (a SameSite=None deployment) passes despite Sec-Fetch-Site: cross-site",
    "W3C Fetch Metadata §2.1; Fetch standard (CORS with credentials)",
    { origin: ALLOWED, "sec-fetch-site": "cross-site" },
    "passes",
  ),
  refresh(
    "development: a loopback look-alike origin (localhost.evil.example) is refused",
    `${CSRF_SHEET} (no prefix matching)`,
    { origin: "http://localhost.evil.example:5173" },
    "CSRF_FAILED",
  ),
  refresh(
    "development: a loopback origin is refused when Baton is reached on a LAN address",
    `${CSRF_SHEET} (the dev-server rule needs both sides on loopback)`,
    { origin: "http://localhost:5173", host: "192.168.1.20:3000" },
    "CSRF_FAILED",
  ),
  refresh(
    "development: a loopback origin in odd spelling (upper case, trailing slash) is refused",
    `${CSRF_SHEET}; RFC 6454 §6.1 (an Origin header is a serialised origin)`,
    { origin: "http://LOCALHOST:5173/" },
    "CSRF_FAILED",
  ),
  refresh(
    "positive control: in development a dev-server page (Vite's changeOrigin proxy: http://localhost:5173) passes",
    "issue 13 item 5 (Vite, Next.js dev rewrites, CRA proxy)",
    { origin: "http://localhost:5173", "sec-fetch-site": "same-origin" },
    "passes",
  ),
  refresh(
    "positive control: in development http://127.0.0.1:* and http://[::1]:* pages pass",
    "issue 13 item 5",
    { origin: "http://[::1]:4200", "sec-fetch-site": "same-site" },
    "passes",
  ),
  refresh(
    "positive control: application/json; charset=utf-8 passes",
    "RFC 8259 §8.1",
    { "content-type": "application/json; charset=utf-8" },
    "passes",
    "{}",
  ),
  {
    attack: "a cross-site logout (logout CSRF) is refused and the session survives",
    source: CSRF_SHEET,
    path: "/api/auth/logout",
    headers: { origin: "https://evil.example" },
    expect: "CSRF_FAILED",
  },
  {
    // An empty body is no form (axios in Node labels a bare POST so): the Origin and Fetch
    // Metadata a browser sends with a cross-site form are what refuse this one.
    attack: "an empty logout form post from another site is refused and the session survives",
    source: CSRF_SHEET,
    path: "/api/auth/logout",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: "https://evil.example",
      "sec-fetch-site": "cross-site",
    },
    rawBody: "",
    expect: "CSRF_FAILED",
  },
  {
    attack: "a logout form post with fields is refused and the session survives",
    source: `${CSRF_SHEET} ('disallowing simple requests')`,
    path: "/api/auth/logout",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    rawBody: "all=1",
    expect: "CSRF_FAILED",
  },
  {
    attack: "a cross-site login with the attacker's credentials (login CSRF) is refused",
    source: `${CSRF_SHEET} ('login CSRF')`,
    path: "/api/auth/login",
    headers: { origin: "https://evil.example" },
    json: { email: "attacker@example.com", password: PASSWORD },
    expect: "CSRF_FAILED",
  },
  {
    attack: "a login form post is refused",
    source: `${CSRF_SHEET} ('login CSRF')`,
    path: "/api/auth/login",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    rawBody: `email=attacker%40example.com&password=${encodeURIComponent(PASSWORD)}`,
    expect: "CSRF_FAILED",
  },
  {
    attack: "a cross-site register is refused",
    source: CSRF_SHEET,
    path: "/api/auth/register",
    headers: { "content-type": "text/plain" },
    rawBody: JSON.stringify({ email: "csrf@example.com", password: PASSWORD }),
    expect: "CSRF_FAILED",
  },
  {
    attack: "a cross-site RFC 7009 revoke is refused",
    source: CSRF_SHEET,
    path: "/api/auth/revoke",
    headers: { origin: "https://evil.example" },
    json: { refreshToken: "x".repeat(43) },
    expect: "CSRF_FAILED",
  },
];

describeEachAdapter(
  "cross-site request forgery through %s",
  { per: "block", options: { corsOrigins: [ALLOWED] } },
  (server) => {
    let counter = 0;
    beforeAll(async () => {
      await signUp(server, "attacker@example.com");
    });

    it.each(csrfCases.map((row) => [`${row.attack} — ${row.source}`, row] as const))(
      "%s",
      async (_name, row) => {
        const victim = await signUp(server, `csrf-victim-${++counter}@example.com`);
        const before = victim.client.jar.get("refresh_token")!;
        // node:http, not fetch: fetch would add a text/plain content type to a bare string body.
        const headers: [string, string][] = [
          ["cookie", `refresh_token=${before}`],
          ...Object.entries(row.headers),
        ];
        let body = row.rawBody;
        if (row.json !== undefined) {
          headers.push(["content-type", "application/json"]);
          body = JSON.stringify(row.json);
        }
        const response = await rawRequest(server.url, "POST", row.path, headers, body);
        if (row.expect === "passes") {
          expect(response.status, response.text).toBe(200);
          return;
        }
        if (Array.isArray(row.expect)) {
          expect(row.expect).toContain(response.body.error.code);
          expectError(response, response.body.error.code);
        } else {
          expectError(response, row.expect);
        }
        expect(response.headers["set-cookie"], "a refused request sets no cookie").toBeUndefined();
        expect(response.headers["access-control-allow-origin"]).toBeUndefined();
        // Nothing happened to the victim's session: its cookie was neither rotated nor revoked.
        expect(victim.client.jar.get("refresh_token")).toBe(before);
        expect((await victim.client.post("/api/auth/refresh")).status).toBe(200);
        expect(
          withDatabase(server, (db) =>
            db.prepare("select count(*) as n from users where email in ('csrf@example.com')").get(),
          ),
        ).toEqual({ n: 0 });
      },
    );

    it("CORS answers the allowed origin only, with credentials, never a wildcard — Fetch standard §3.2.5, OWASP ASVS 14.5.3", async () => {
      const client = server.client();
      const allowed = await client.request("OPTIONS", "/api/auth/refresh", {
        headers: { origin: ALLOWED, "access-control-request-method": "POST" },
      });
      expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED);
      expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
      expect(allowed.headers.get("vary")).toContain("Origin");
      for (const origin of ["https://evil.example", "null", "*"]) {
        const refused = await client.request("OPTIONS", "/api/auth/refresh", {
          headers: { origin, "access-control-request-method": "POST" },
        });
        expect(refused.headers.get("access-control-allow-origin"), origin).toBeNull();
        expect(refused.headers.get("access-control-allow-methods"), origin).toBeNull();
      }
    });
  },
);

// Issue 12 item 2: the refresh token in the HttpOnly cookie must stay out of a script's reach.
// A script on the page (XSS) can send same-origin requests that carry the cookie; no answer to
// such a request may hand it the cookie's refresh token, or the session's next one, in JSON.
describeEachAdapter(
  "a script on the page cannot take the refresh token out of the cookie (XSS) through %s",
  { per: "block" },
  (server) => {
    const XSS = "OWASP ASVS 3.4.2 (HttpOnly); RFC 9700 §4.14 (refresh token protection)";
    let counter = 0;

    const generation = (userId: string) =>
      withDatabase(server, (db) =>
        db.prepare("select generation from sessions where user_id = ?").get(userId),
      );
    const victim = () => signUp(server, `xss-victim-${++counter}@example.com`);

    it.each(["/api/auth/refresh", "/api/auth/refresh-token"])(
      `POST %s {"transport":"body"} authenticated by the cookie is refused, and the session is not rotated — ${XSS}`,
      async (path) => {
        const ada = await victim();
        const cookie = ada.client.jar.get("refresh_token")!;
        const response = await ada.client.post(path, { transport: "body" });
        expectError(response, "VALIDATION_FAILED");
        expect(JSON.stringify(response.body)).not.toContain(cookie);
        expect(response.body).not.toHaveProperty("refreshToken");
        expect(response.setCookies).toEqual([]);
        expect(generation(ada.user.id)).toEqual({ generation: 0 });
        // The victim's page keeps working, with its cookie.
        const refreshed = await ada.client.post("/api/auth/refresh");
        expect(refreshed.status).toBe(200);
        expect(refreshed.body).not.toHaveProperty("refreshToken");
      },
    );

    it(`a cookie refresh answers the refresh token only in Set-Cookie, with or without "transport":"cookie" — ${XSS}`, async () => {
      const ada = await victim();
      for (const body of [undefined, {}, { transport: "cookie" }]) {
        const response = await ada.client.post("/api/auth/refresh", body);
        expect(response.status).toBe(200);
        expect(response.body).not.toHaveProperty("refreshToken");
        expect(response.setCookies[0]).toMatch(/^refresh_token=[A-Za-z0-9_-]{43};/);
      }
    });

    it(`POST /password {"transport":"body"} from a page whose session lives in the cookie is refused before the password changes — ${XSS}`, async () => {
      const ada = await victim();
      const email = `xss-victim-${counter}@example.com`;
      const response = await ada.client.post(
        "/api/auth/password",
        { currentPassword: PASSWORD, newPassword: "a brand new passphrase", transport: "body" },
        { token: ada.accessToken },
      );
      expectError(response, "VALIDATION_FAILED");
      expect(response.body).not.toHaveProperty("refreshToken");
      expect(response.setCookies).toEqual([]);
      expect(generation(ada.user.id)).toEqual({ generation: 0 });
      const login = await server.client().post("/api/auth/login", { email, password: PASSWORD });
      expect(login.status, "the password did not change").toBe(200);
    });

    it("positive control: a native client (token in the body, no cookie) still gets body transport from /refresh and /password — RFC 6749 §6", async () => {
      const native = server.client();
      const email = `native-${++counter}@example.com`;
      const registered = await native.post("/api/auth/register", {
        email,
        password: PASSWORD,
        transport: "body",
      });
      const refreshed = await native.post("/api/auth/refresh", {
        refreshToken: registered.body.refreshToken,
        transport: "body",
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(refreshed.setCookies).toEqual([]);
      const changed = await native.post(
        "/api/auth/password",
        { currentPassword: PASSWORD, newPassword: "a brand new passphrase", transport: "body" },
        { token: refreshed.body.accessToken },
      );
      expect(changed.status).toBe(200);
      expect(changed.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it("a cookie page changing its password gets the new refresh token in the cookie only — RFC 6265bis §5.6.6", async () => {
      const ada = await victim();
      const changed = await ada.client.post(
        "/api/auth/password",
        { currentPassword: PASSWORD, newPassword: "a brand new passphrase" },
        { token: ada.accessToken },
      );
      expect(changed.status).toBe(200);
      expect(changed.body).not.toHaveProperty("refreshToken");
      expect(changed.setCookies[0]).toMatch(/^refresh_token=[A-Za-z0-9_-]{43};/);
      expect((await ada.client.post("/api/auth/refresh")).status).toBe(200);
    });
  },
);

describe("the refresh cookie's attributes", () => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer("fastify");
    cookie = (await signUp(server, "ada@example.com")).response.setCookies[0]!;
  });
  afterAll(() => server.close());

  it.each([
    ["is HttpOnly (no script can read it)", /; HttpOnly/, "OWASP ASVS 3.4.2; RFC 6265bis §5.6.6"],
    ["is SameSite=Strict", /; SameSite=Strict/, "OWASP ASVS 3.4.3; RFC 6265bis §5.6.7"],
    [
      "is scoped to Path=/api/auth",
      /; Path=\/api\/auth(;|$)/,
      "OWASP ASVS 3.4.5; RFC 6265bis §5.6.4",
    ],
    [
      "lives as long as the session (Max-Age = 7 days)",
      /; Max-Age=604800(;|$)/,
      "RFC 6265bis §5.6.2; OWASP ASVS 3.3.1",
    ],
    [
      "carries a 256-bit base64url value",
      /^refresh_token=[A-Za-z0-9_-]{43};/,
      "OWASP ASVS 3.2.2; RFC 9700 §4.14",
    ],
  ])("the cookie %s — %s", (_what, pattern) => {
    expect(cookie).toMatch(pattern);
  });

  it("the cookie is host-only (no Domain attribute), so sibling subdomains never receive it — RFC 6265bis §5.6.3", () => {
    expect(cookie).not.toMatch(/domain=/i);
  });

  it("token responses are never cached — RFC 6749 §5.1, OWASP ASVS 8.2.1", async () => {
    const response = await server
      .client()
      .post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.body).not.toHaveProperty("refreshToken");
  });

  it("Max-Age never outlives the session's absolute lifetime — OWASP ASVS 3.3.2", async () => {
    const { client } = await signUp(server, "late@example.com");
    for (let day = 6; day <= 24; day += 6) {
      server.clock.advance(6 * 86_400_000);
      expect((await client.post("/api/auth/refresh")).status).toBe(200);
    }
    server.clock.advance(3 * 86_400_000); // day 27 of 30
    const refreshed = await client.post("/api/auth/refresh");
    expect(refreshed.setCookies[0]).toMatch(/; Max-Age=259200(;|$)/); // 3 days left of 30
  });

  it.each([
    ["logout", "/api/auth/logout"],
    ["logout-all", "/api/auth/logout-all"],
  ])(
    "%s clears the cookie with matching Path and attributes so the browser really drops it — RFC 6265bis §5.7",
    async (_name, path) => {
      const login = await server
        .client()
        .post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
      const client = server.client();
      client.jar.set("refresh_token", /refresh_token=([^;]*)/.exec(login.setCookies[0]!)![1]!);
      const response = await client.post(path, undefined, { token: login.body.accessToken });
      expect(response.status).toBe(204);
      const cleared = response.setCookies.find((line) => line.startsWith("refresh_token="))!;
      expect(cleared).toMatch(/^refresh_token=;/);
      expect(cleared).toContain("Max-Age=0");
      expect(cleared).toContain("Expires=Thu, 01 Jan 1970 00:00:00 GMT");
      expect(cleared).toContain("Path=/api/auth");
      expect(cleared).toContain("HttpOnly");
      expect(cleared).toContain("SameSite=Strict");
      expect(client.jar.has("refresh_token")).toBe(false);
    },
  );

  it("login ignores a planted refresh cookie and issues a new session (session fixation) — OWASP ASVS 3.2.1", async () => {
    const attacker = await signUp(server, "fixation-attacker@example.com");
    const planted = attacker.client.jar.get("refresh_token")!;
    const victim = server.client();
    victim.jar.set("refresh_token", planted);
    const login = await victim.post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    expect(login.body.user.email).toBe("ada@example.com");
    expect(victim.jar.get("refresh_token")).not.toBe(planted);
    // The victim's browser now refreshes as the victim, and the attacker's session is untouched.
    expect((await victim.post("/api/auth/refresh")).body.user.email).toBe("ada@example.com");
    expect((await attacker.client.post("/api/auth/refresh")).body.user.email).toBe(
      "fixation-attacker@example.com",
    );
  });

  it("two refresh cookies (cookie tossing) are refused, and neither session is rotated or revoked — RFC 6265bis §8.6; OWASP ASVS 3.4", async () => {
    const victim = await signUp(server, "tossed-victim@example.com");
    const attacker = await signUp(server, "tosser@example.com");
    const own = victim.client.jar.get("refresh_token")!;
    const tossed = attacker.client.jar.get("refresh_token")!;
    const response = await server.client().post("/api/auth/refresh", undefined, {
      headers: { cookie: `refresh_token=${own}; refresh_token=${tossed}` },
    });
    expectError(response, "VALIDATION_FAILED");
    expect((await victim.client.post("/api/auth/refresh")).body.user.email).toBe(
      "tossed-victim@example.com",
    );
    expect((await attacker.client.post("/api/auth/refresh")).body.user.email).toBe(
      "tosser@example.com",
    );
  });
});

describe("cookies in production", () => {
  it("are __Secure- prefixed and Secure — OWASP ASVS 3.4.1, RFC 6265bis §4.1.3.1", async () => {
    const secret = randomBytes(32).toString("base64url");
    const server = await startTestServer("fastify", { production: true, secret });
    try {
      const { response } = await signUp(server, "ada@example.com");
      const cookie = response.setCookies[0]!;
      expect(cookie).toMatch(/^__Secure-refresh_token=[A-Za-z0-9_-]{43};/);
      expect(cookie).toContain("; Secure");
      expect(cookie).toContain("; HttpOnly");
      const refreshed = await server.client().post("/api/auth/refresh", undefined, {
        headers: { cookie: cookie.split(";")[0]! },
      });
      expect(refreshed.status).toBe(200);
      // The development name is not accepted in production: it could be set over plain http.
      const downgraded = await server.client().post("/api/auth/refresh", undefined, {
        headers: { cookie: `refresh_token=${cookie.split(";")[0]!.split("=")[1]!}` },
      });
      expectError(downgraded, "REFRESH_MISSING");
    } finally {
      await server.close();
    }
  });

  it("a loopback dev-server origin is refused in production: exact origins only (issue 13 item 5)", async () => {
    const secret = randomBytes(32).toString("base64url");
    const server = await startTestServer("fastify", { production: true, secret });
    try {
      const answer = await server
        .client()
        .post(
          "/api/auth/register",
          { email: "vite@example.com", password: PASSWORD },
          { headers: { origin: "http://localhost:5173", "sec-fetch-site": "same-origin" } },
        );
      expectError(answer, "CSRF_FAILED");
    } finally {
      await server.close();
    }
  });

  it.each([
    [
      { production: true, secret: randomBytes(32).toString("base64url"), cookieSecure: false },
      "non-Secure cookies in production",
    ],
    [{ cookieSameSite: "none" as const, cookieSecure: false }, "SameSite=None without Secure"],
  ])("startup refuses %j (%s) — OWASP ASVS 14.1, RFC 6265bis §5.6.7", async (options, _why) => {
    await expect(
      createBaton({ databaseUrl: "sqlite::memory:", logger: false, ...options }),
    ).rejects.toThrow();
  });
});

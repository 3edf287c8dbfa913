import { ERROR_CODES } from "@baton/protocol";
import fc from "fast-check";
import BetterSqlite3 from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PASSWORD, signUp, startTestServer } from "../support/test-server.js";
import { describeEachAdapter, type ServerSetup } from "../support/each-adapter.js";

const withCors: ServerSetup = {
  per: "test",
  options: { corsOrigins: ["https://app.example.com"] },
};

describeEachAdapter("errors and hostile input through %s", withCors, (server, adapter) => {
  it("a wrong JSON type is VALIDATION_FAILED, never coerced", async () => {
    const client = server.client();
    for (const body of [
      { email: 5, password: PASSWORD },
      { email: "a@example.com", password: 12345678 },
      { email: ["a@example.com"], password: PASSWORD },
      { email: "a@example.com", password: PASSWORD, name: 7 },
      { email: "a@example.com" },
      { email: "a@example.com", password: PASSWORD, role: "admin" },
      { email: "not-an-email", password: PASSWORD },
      { email: "a@example.com", password: "short" },
      { email: "a@example.com", password: "x".repeat(257) },
      { email: "a@example.com", password: PASSWORD, name: "evil\r\nSet-Cookie: x=y" },
      [1, 2, 3],
      "a string",
      null,
    ]) {
      const response = await client.request("POST", "/api/auth/register", {
        rawBody: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe("VALIDATION_FAILED");
    }
    const details = await client.post("/api/auth/register", { email: 5, password: PASSWORD });
    expect(details.body.error.details[0].path).toBe("/email");
    const extra = await client.post("/api/auth/login", {
      email: "a@example.com",
      password: PASSWORD,
      admin: true,
    });
    expect(extra.body.error.details[0].path).toBe("/admin");
  });

  it("malformed JSON and prototype-pollution keys are refused; nothing is polluted", async () => {
    const client = server.client();
    for (const rawBody of [
      '{"email":',
      "{'a':1}",
      '{"__proto__":{"admin":true},"email":"a@example.com","password":"correct horse battery"}',
      '{"constructor":{"prototype":{"admin":true}}}',
    ]) {
      const response = await client.request("POST", "/api/auth/register", {
        rawBody,
        headers: { "content-type": "application/json" },
      });
      expect(response.status, rawBody).toBe(400);
      expect(response.body.error.code).toBe("VALIDATION_FAILED");
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("bodies over the limit are PAYLOAD_TOO_LARGE", async () => {
    const response = await server
      .client()
      .post("/api/auth/login", { email: "a@example.com", password: "x".repeat(20_000) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("form and text bodies are CSRF_FAILED; other non-JSON types are UNSUPPORTED_MEDIA_TYPE", async () => {
    const { client } = await signUp(server, "ada@example.com");
    for (const type of [
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "text/plain",
      "TEXT/PLAIN;charset=utf-8",
    ]) {
      const response = await client.request("POST", "/api/auth/refresh", {
        rawBody: "a=b",
        headers: { "content-type": type },
      });
      expect(response.status, type).toBe(403);
      expect(response.body.error.code).toBe("CSRF_FAILED");
    }
    const xml = await client.request("POST", "/api/auth/login", {
      rawBody: "<a/>",
      headers: { "content-type": "application/xml" },
    });
    expect(xml.status).toBe(415);
    expect(xml.body.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    // A bare POST with a JSON content type and no body is an ordinary refresh.
    const bare = await client.request("POST", "/api/auth/refresh", {
      headers: { "content-type": "application/json" },
    });
    expect(bare.status).toBe(200);
  });

  it("cross-site origins are CSRF_FAILED; same origin and allowed origins pass with CORS headers", async () => {
    const { client } = await signUp(server, "ada@example.com");
    for (const headers of [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
    ] as Record<string, string>[]) {
      const response = await client.post("/api/auth/refresh", undefined, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.body.error.code).toBe("CSRF_FAILED");
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
    const same = await client.post("/api/auth/refresh", undefined, {
      headers: { origin: server.url, "sec-fetch-site": "same-origin" },
    });
    expect(same.status).toBe(200);
    const allowed = await client.post("/api/auth/refresh", undefined, {
      headers: { origin: "https://app.example.com" },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");

    const preflight = await client.request("OPTIONS", "/api/auth/refresh", {
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
    const evilPreflight = await client.request("OPTIONS", "/api/auth/refresh", {
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(evilPreflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refresh errors: REFRESH_MISSING, REFRESH_INVALID (garbage, truncated), conflicting cookie and body", async () => {
    const client = server.client();
    expect((await client.post("/api/auth/refresh")).body.error.code).toBe("REFRESH_MISSING");
    for (const token of ["garbage", "a".repeat(43), "", "x".repeat(500)]) {
      const response = await server
        .client()
        .post("/api/auth/refresh", undefined, { headers: { cookie: `refresh_token=${token}` } });
      expect(response.status, token).toBe(401);
      expect(["REFRESH_INVALID", "REFRESH_MISSING"]).toContain(response.body.error.code);
    }
    const { client: ada } = await signUp(server, "ada@example.com");
    const token = ada.jar.get("refresh_token")!;
    const truncated = await server
      .client()
      .post("/api/auth/refresh", { refreshToken: token.slice(0, 42) });
    expect(truncated.body.error.code).toBe("REFRESH_INVALID");
    const both = await ada.post("/api/auth/refresh", { refreshToken: "b".repeat(43) });
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe("VALIDATION_FAILED");
  });

  it("expired sessions cannot refresh", async () => {
    const { client } = await signUp(server, "ada@example.com");
    server.clock.advance(7 * 86_400_000 + 1);
    const response = await client.post("/api/auth/refresh");
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("REFRESH_INVALID");
  });

  it("bearer errors: TOKEN_INVALID for garbage, tampering and duplicate headers; tokens never in the URL", async () => {
    const { client, accessToken } = await signUp(server, "ada@example.com");
    const [header, payload, signature] = accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ["admin"] })).toString("base64url")}.${signature}`;
    for (const token of ["garbage", `${header}.${payload}.`, tampered, `${accessToken}x`]) {
      const response = await client.get("/api/auth/me", token);
      expect(response.status, token.slice(0, 20)).toBe(401);
      expect(response.body.error.code).toBe("TOKEN_INVALID");
    }
    const basic = await client.get("/api/auth/me", undefined, {
      headers: { authorization: "Basic YTpi" },
    });
    expect(basic.body.error.code).toBe("TOKEN_MISSING");
    const lower = await client.get("/api/auth/me", undefined, {
      headers: { authorization: `bearer ${accessToken}` },
    });
    expect(lower.status).toBe(200);
    const inQuery = await client.get(`/api/auth/me?access_token=${accessToken}`);
    expect(inQuery.status).toBe(400);
    expect(inQuery.body.error.code).toBe("VALIDATION_FAILED");
    // Two Authorization headers (Node would silently keep the first): refused, not guessed at.
    const twice = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${server.url}/api/private`,
        {
          headers: [
            "host",
            new URL(server.url).host,
            "authorization",
            `Bearer ${accessToken}`,
            "authorization",
            "Bearer other",
          ],
        },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => (body += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on("error", reject);
      request.end();
    });
    expect(twice.status).toBe(401);
    expect(JSON.parse(twice.body).error.code).toBe("TOKEN_INVALID");
  });

  it("unknown endpoints are NOT_FOUND (standalone) and every answer carries a documented code", async () => {
    const response = await server.client().get("/api/auth/nope");
    if (adapter === "fastify") {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("NOT_FOUND");
    } else {
      expect(response.status).toBe(404); // Express's own 404 for paths Baton does not own
    }
  });

  it("garbage bodies never yield a 5xx and never create a session", async () => {
    const client = server.client();
    const paths = [
      "/api/auth/register",
      "/api/auth/login",
      "/api/auth/refresh",
      "/api/auth/logout",
      "/api/auth/revoke",
      "/api/auth/password",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify({ email: v, password: v })),
        ),
        async (path, rawBody) => {
          const response = await client.request("POST", path, {
            rawBody,
            headers: { "content-type": "application/json" },
            cookies: false,
          });
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect(ERROR_CODES).toContain(response.body.error.code);
        },
      ),
      { numRuns: 150 },
    );
    const sessions = new BetterSqlite3(join(server.dir, "baton.db"), { readonly: true });
    const { count } = sessions.prepare("select count(*) as count from sessions").get() as {
      count: number;
    };
    sessions.close();
    expect(count).toBe(0);
  });

  it("failed logins lock the account (429 + Retry-After) and recover after the lockout", async () => {
    await signUp(server, "ada@example.com");
    const client = server.client();
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await client.post("/api/auth/login", {
            email: "ada@example.com",
            password: "wrong password",
          })
        ).status,
      ).toBe(401);
    }
    const locked = await client.post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("RATE_LIMITED");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(800);
    // An unknown email locks the same way: a lockout tells nothing about which accounts exist.
    for (let i = 0; i < 5; i++)
      await client.post("/api/auth/login", {
        email: "ghost@example.com",
        password: "wrong password",
      });
    expect(
      (
        await client.post("/api/auth/login", {
          email: "ghost@example.com",
          password: "wrong password",
        })
      ).status,
    ).toBe(429);
    server.clock.advance(15 * 60_000 + 1);
    expect(
      (await client.post("/api/auth/login", { email: "ada@example.com", password: PASSWORD }))
        .status,
    ).toBe(200);
  });

  it("a closed store answers 503 UNAVAILABLE with Retry-After, never a 401", async () => {
    const { client, accessToken } = await signUp(server, "ada@example.com");
    await server.baton.store.close();
    const health = await client.get("/healthz");
    expect(health.status).toBe(503);
    expect(health.body.error.code).toBe("UNAVAILABLE");
    const refresh = await client.post("/api/auth/refresh");
    expect(refresh.status).toBe(503);
    // One Retry-After for every 503, the server's and @baton/verify's (it was 2 here, 5 there).
    expect(refresh.headers.get("retry-after")).toBe("5");
    const login = await client.post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    expect(login.status).toBe(503);
    // Verifying an access token needs no database: protected routes keep working.
    expect((await client.get("/api/private", accessToken)).status).toBe(200);
  });
});

describe("rate limit per IP on the auth routes", () => {
  it("answers 429 with Retry-After past AUTH_RATE_LIMIT, exempts JWKS and health, and recovers", async () => {
    const server = await startTestServer("fastify", { authRateLimit: 3 });
    try {
      const client = server.client();
      for (let i = 0; i < 3; i++) expect((await client.post("/api/auth/refresh")).status).toBe(401);
      const limited = await client.post("/api/auth/refresh");
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("RATE_LIMITED");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await client.get("/healthz")).status).toBe(200);
      expect((await client.get("/.well-known/jwks.json")).status).toBe(200);
      server.clock.advance(60_001);
      expect((await client.post("/api/auth/refresh")).status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describeEachAdapter(
  "rate-limit keys follow the client, not the spelling of its address, through %s",
  { per: "test", options: { authRateLimit: 60, trustProxy: true } },
  (server) => {
    /** 65 requests, one per address, against AUTH_RATE_LIMIT=60: the 61st and later are 429. */
    const statuses = async (addresses: string[]) => {
      const client = server.client();
      const answers: number[] = [];
      for (const address of addresses)
        answers.push(
          (
            await client.post("/api/auth/refresh", undefined, {
              headers: { "x-forwarded-for": address },
            })
          ).status,
        );
      return answers;
    };
    const expected = [...Array<number>(60).fill(401), ...Array<number>(5).fill(429)];

    it("65 addresses of one IPv6 /64 share one budget — regression (issue 12 item 7)", async () => {
      const addresses = Array.from(
        { length: 65 },
        (_, i) =>
          `2001:db8:abcd:12:${(i * 977).toString(16)}:${i.toString(16)}:0:${(i + 1).toString(16)}`,
      );
      expect(await statuses(addresses)).toEqual(expected);
      // The next /64 is another client.
      expect(await statuses(["2001:db8:abcd:13::1"])).toEqual([401]);
    });

    it("spellings of one address and its IPv4-mapped forms share one budget — regression (issue 12 item 7); RFC 5952, RFC 4291 §2.5.5.2", async () => {
      const spellings = [
        "203.0.113.9",
        "::ffff:203.0.113.9",
        "::FFFF:203.0.113.9",
        "::ffff:cb00:7109",
        "0:0:0:0:0:ffff:cb00:7109",
      ];
      expect(await statuses(Array.from({ length: 65 }, (_, i) => spellings[i % 5]!))).toEqual(
        expected,
      );
      const sixSpellings = [
        "2001:db8::1",
        "2001:DB8::1",
        "2001:0db8:0000:0000:0000:0000:0000:0001",
        "2001:db8:0:0::1",
      ];
      expect(await statuses(Array.from({ length: 65 }, (_, i) => sixSpellings[i % 4]!))).toEqual(
        expected,
      );
    });

    it("sessions and audit events keep the canonical address (IPv4-mapped → IPv4, RFC 5952 text)", async () => {
      for (const [sent, kept] of [
        ["::ffff:203.0.113.9", "203.0.113.9"],
        ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
      ]) {
        const client = server.client();
        const registered = await client.post(
          "/api/auth/register",
          { email: `addr-${kept}@example.com`.replace(/:/g, "-"), password: PASSWORD },
          { headers: { "x-forwarded-for": sent! } },
        );
        expect(registered.status).toBe(201);
        const sessions = await client.get("/api/auth/sessions", registered.body.accessToken);
        expect(sessions.body.sessions[0].ip).toBe(kept);
        expect(server.events.at(-1)?.ip).toBe(kept);
      }
    });
  },
);

describe("production cookies", () => {
  it("uses __Secure-refresh_token with Secure when in production", async () => {
    const secret = randomBytes(32).toString("base64url");
    const server = await startTestServer("fastify", { production: true, secret });
    try {
      const { response } = await signUp(server, "ada@example.com");
      expect(response.setCookies[0]).toMatch(/^__Secure-refresh_token=.*; Secure/);
    } finally {
      await server.close();
    }
  });
});

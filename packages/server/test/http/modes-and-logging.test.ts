import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { decodeProtectedHeader } from "jose";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { openStore } from "@baton/server";
import { PASSWORD, signUp, startTestServer } from "../support/test-server.js";

describe("HS256 mode", () => {
  it("signs with the shared secret, publishes no key, and works end to end", async () => {
    const jwtSecret = randomBytes(32).toString("base64url");
    const server = await startTestServer("fastify", { jwtAlg: "HS256", jwtSecret });
    try {
      const { client, accessToken } = await signUp(server, "ada@example.com");
      expect(decodeProtectedHeader(accessToken)).toMatchObject({
        alg: "HS256",
        typ: "at+jwt",
        kid: expect.stringMatching(/^hs256-/),
      });
      expect((await client.get("/.well-known/jwks.json")).body).toEqual({ keys: [] });
      expect((await client.get("/api/auth/me", accessToken)).status).toBe(200);
      const refreshed = await client.post("/api/auth/refresh");
      expect((await client.get("/api/private", refreshed.body.accessToken)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("client IP", () => {
  it("ignores X-Forwarded-For unless the proxy is trusted", async () => {
    for (const [trustProxy, expected] of [
      [false, "127.0.0.1"],
      [true, "203.0.113.9"],
    ] as const) {
      const server = await startTestServer("fastify", { trustProxy });
      try {
        const { client, accessToken } = await signUp(server, "ada@example.com");
        await client.post(
          "/api/auth/login",
          { email: "ada@example.com", password: PASSWORD },
          { headers: { "x-forwarded-for": "203.0.113.9" } },
        );
        const sessions = (await client.get("/api/auth/sessions", accessToken)).body.sessions as {
          ip: string;
          current: boolean;
        }[];
        expect(sessions.find((s) => !s.current)?.ip).toBe(expected);
      } finally {
        await server.close();
      }
    }
  });
});

describe("logs", () => {
  it("never contain a token, a password or a hash, even at trace level", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await startTestServer("fastify", { logger: pino({ level: "trace" }, sink) });
    const secrets: string[] = [PASSWORD, "another secret phrase"];
    try {
      const ada = await signUp(server, "ada@example.com");
      secrets.push(ada.accessToken, ada.client.jar.get("refresh_token")!);
      const login = await ada.client.post("/api/auth/login", {
        email: "ada@example.com",
        password: PASSWORD,
      });
      secrets.push(login.body.accessToken);
      await ada.client.post("/api/auth/login", {
        email: "ada@example.com",
        password: "another secret phrase",
      });
      const refreshed = await ada.client.post("/api/auth/refresh");
      secrets.push(refreshed.body.accessToken, ada.client.jar.get("refresh_token")!);
      await ada.client.get("/api/auth/me", refreshed.body.accessToken);
      await ada.client.get("/api/auth/me", `${refreshed.body.accessToken}x`);
      await ada.client.post("/api/auth/logout", undefined, { token: refreshed.body.accessToken });
      // Refused, and the query string never reaches the request log either.
      secrets.push("query-token-never-logged");
      await ada.client.get("/api/auth/me?access_token=query-token-never-logged");
    } finally {
      await server.close();
    }
    const log = lines.join("");
    expect(log).toContain("login.succeeded");
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/\$argon2id\$/);
  });
});

describe("unexpected failures", () => {
  it("answer 500 INTERNAL with no internals in the body", async () => {
    let failing = false;
    const real = await openStore("sqlite::memory:");
    // Fault injection around the real store: an unexpected bug inside a store call.
    const store = new Proxy(real, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property === "findUserByEmail" && failing)
          return () => Promise.reject(new Error("disk says: /var/lib/secret-path"));
        return typeof value === "function"
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const server = await startTestServer("fastify", { store });
    try {
      await signUp(server, "ada@example.com");
      failing = true;
      const response = await server
        .client()
        .post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ error: { code: "INTERNAL", message: "Internal error" } });
    } finally {
      await server.close();
      await real.close();
    }
  });
});

describe("requests Baton does not route", () => {
  it("a malformed body on an unknown path is a 4xx with a code, not a 500", async () => {
    const server = await startTestServer("fastify");
    try {
      const client = server.client();
      const malformed = await client.request("POST", "/nope", {
        rawBody: "{",
        headers: { "content-type": "application/json" },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe("VALIDATION_FAILED");
      const big = await client.request("POST", "/nope", {
        rawBody: "x".repeat(40_000),
        headers: { "content-type": "application/json" },
      });
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    } finally {
      await server.close();
    }
  });

  it("Express: a body far over the limit gets its 413, not a connection reset", async () => {
    const server = await startTestServer("express");
    try {
      const response = await server.client().request("POST", "/api/auth/login", {
        rawBody: "x".repeat(1_048_576),
        headers: { "content-type": "application/json" },
      });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    } finally {
      await server.close();
    }
  });
});

import { describe, expect, it } from "vitest";
import { decodeAccessToken } from "../src/access-token.js";
import { createStateStore } from "../src/auth-state.js";
import { redactingLogger } from "../src/logger.js";
import { createTokenOriginPolicy } from "../src/token-origins.js";
import { createTransport } from "../src/transport.js";
import { HttpError, NetworkError } from "../src/errors.js";
import { ManualClock } from "./support/manual-clock.js";

const jwt = (claims: object) =>
  `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2lnbmF0dXJl`;

describe("decodeAccessToken", () => {
  it("reads iat/exp/sid without verifying", () => {
    expect(decodeAccessToken(jwt({ iat: 10, exp: 20, sid: "s1" }))).toMatchObject({
      iat: 10,
      exp: 20,
      sid: "s1",
    });
  });
  it("returns undefined for anything else", () => {
    for (const bad of [
      "",
      "opaque",
      "a.b.c",
      jwt({ iat: 10 }),
      jwt({ iat: 20, exp: 10 }),
      jwt({ iat: "10", exp: 20 }),
    ]) {
      expect(decodeAccessToken(bad)).toBeUndefined();
    }
  });
  it("handles unicode claims (base64url, not base64)", () => {
    expect(decodeAccessToken(jwt({ iat: 1, exp: 2, name: "Zoë ✓ ~~~???" }))?.iat).toBe(1);
  });
});

describe("redactingLogger", () => {
  it("replaces secret-named fields and JWT-shaped strings, recursively", () => {
    const lines: unknown[] = [];
    const log = redactingLogger({
      debug: (m, f) => lines.push(m, f),
      warn: (m, f) => lines.push(m, f),
    });
    const token = jwt({ iat: 1, exp: 2 });
    log.debug(`sent ${token}`, {
      accessToken: token,
      nested: { refreshToken: "opaque-refresh", note: `Bearer ${token}`, list: [token] },
      error: new Error(`bad ${token}`),
      headers: { Authorization: "Bearer x", cookie: "refresh_token=y" },
      count: 3,
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(token);
    expect(text).not.toContain("opaque-refresh");
    expect(text).not.toContain("refresh_token=y");
    expect(text).toContain('"count":3');
  });
});

describe("createTokenOriginPolicy", () => {
  it("allows relative URLs, the page, the auth server and listed origins only", () => {
    const attaches = createTokenOriginPolicy({
      baseUrl: "https://auth.example.com/api/auth",
      pageOrigin: "https://app.example.com",
      extraOrigins: ["https://api.example.com"],
    });
    expect(attaches("/api/orders")).toBe(true);
    expect(attaches("https://app.example.com/x")).toBe(true);
    expect(attaches("https://auth.example.com/api/auth/me")).toBe(true);
    expect(attaches("https://api.example.com/v1")).toBe(true);
    expect(attaches("https://api.example.com.evil.net/v1")).toBe(false);
    expect(attaches("//cdn.example.net/x")).toBe(false);
    expect(attaches("http://app.example.com/x")).toBe(false); // scheme matters
  });
  it("in Node (no page) allows the base URL's origin and nothing unknown", () => {
    const attaches = createTokenOriginPolicy({
      baseUrl: "http://127.0.0.1:3000/api/auth",
      pageOrigin: undefined,
      extraOrigins: undefined,
    });
    expect(attaches("http://127.0.0.1:3000/api/todos")).toBe(true);
    expect(attaches("http://127.0.0.1:4000/api/todos")).toBe(false);
  });
});

describe("createStateStore", () => {
  it("keeps the snapshot identity when nothing changed, and survives a throwing listener", () => {
    const errors: unknown[] = [];
    const store = createStateStore({ status: "loading", user: null }, (e) => errors.push(e));
    let calls = 0;
    store.subscribe(() => {
      throw new Error("listener bug");
    });
    store.subscribe(() => calls++);
    const user = {
      id: "u",
      email: "e",
      name: null,
      roles: [],
      createdAt: "",
      emailVerified: false,
    };
    store.set({ status: "authenticated", user });
    const snapshot = store.get();
    store.set({ status: "authenticated", user: { ...user } });
    expect(store.get()).toBe(snapshot);
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
  });
});

describe("createTransport", () => {
  const clock = new ManualClock();
  it("maps error bodies to HttpError with the server's code and Retry-After", async () => {
    const transport = createTransport({
      baseUrl: "http://x/api/auth/",
      clock,
      timeoutMs: 1_000,
      fetch: () =>
        Promise.resolve(
          new Response(JSON.stringify({ error: { code: "RATE_LIMITED", message: "slow" } }), {
            status: 429,
            headers: { "retry-after": "7" },
          }),
        ),
    });
    await expect(transport.request("POST", "/login", { body: {} })).rejects.toMatchObject({
      code: "RATE_LIMITED",
      status: 429,
      retryAfterMs: 7_000,
      transient: true,
    });
  });
  it("maps a proxy's HTML error page to HTTP_ERROR and a thrown fetch to NetworkError", async () => {
    const html = createTransport({
      baseUrl: "http://x",
      clock,
      timeoutMs: 1_000,
      fetch: () => Promise.resolve(new Response("<html>Bad gateway</html>", { status: 502 })),
    });
    await expect(html.request("GET", "/me")).rejects.toMatchObject({
      code: "HTTP_ERROR",
      status: 502,
      transient: true,
    });
    const down = createTransport({
      baseUrl: "http://x",
      clock,
      timeoutMs: 1_000,
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    await expect(down.request("GET", "/me")).rejects.toBeInstanceOf(NetworkError);
  });
  it("rejects a 200 that is not JSON (a baseUrl pointing at the SPA) as a non-transient error", async () => {
    const spa = createTransport({
      baseUrl: "http://x",
      clock,
      timeoutMs: 1_000,
      fetch: () => Promise.resolve(new Response("<!doctype html>", { status: 200 })),
    });
    const error = await spa.request("GET", "/me").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).transient).toBe(false);
  });
  it("sends JSON with its content type, and no content type without a body (CSRF rule)", async () => {
    const seen: RequestInit[] = [];
    const transport = createTransport({
      baseUrl: "http://x",
      clock,
      timeoutMs: 1_000,
      fetch: (_u, init) => (seen.push(init!), Promise.resolve(new Response(null, { status: 204 }))),
    });
    await transport.request("POST", "/refresh", { body: {}, withCookie: true });
    await transport.request("POST", "/logout", { withCookie: true });
    expect(new Headers(seen[0]!.headers).get("content-type")).toBe("application/json");
    expect(seen[0]!.credentials).toBe("include");
    expect(new Headers(seen[1]!.headers).get("content-type")).toBeNull();
    expect(seen[1]!.body).toBeUndefined();
  });
  it("passes a caller's abort through untouched", async () => {
    const controller = new AbortController();
    const transport = createTransport({
      baseUrl: "http://x",
      clock,
      timeoutMs: 60_000,
      fetch: (_u, init) =>
        new Promise((_r, reject) =>
          init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason as Error)),
        ),
    });
    const pending = transport.request("GET", "/me", { signal: controller.signal });
    const reason = new DOMException("user left", "AbortError");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

/**
 * docs/client.md, "Baton with axios, ky or fetch": every snippet there is a file of
 * examples/client/, run here against the real Baton server (Fastify, SQLite in memory, a server
 * clock the test moves) with the real libraries, in Node. Node has no cookie jar, so `fetch`
 * gets one that does what a browser does for a page on the server's origin: keep the cookies the
 * server sets, send them back on matching paths.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import axios, { isAxiosError, type AxiosError } from "axios";
import { createAuthRefresh } from "axios-auth-refresh";
import Fastify, { type FastifyInstance } from "fastify";
import { HTTPError } from "ky";
import { createBaton, type Baton } from "@baton/server";
import { batonFastify } from "@baton/server/fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createApi as createAuthRefreshApi } from "../../../examples/client/axios-auth-refresh.js";
import { createApi as createInterceptorApi } from "../../../examples/client/axios-interceptors.js";
import {
  BatonError,
  createBatonTokens,
  type BatonTokens,
} from "../../../examples/client/baton-tokens.js";
import { createApiFetch } from "../../../examples/client/fetch.js";
import { createApi as createKyApi } from "../../../examples/client/ky.js";
import { createApis as createApisOverClient } from "../../../examples/client/with-baton-client.js";
import { createAuthClient } from "../src/client.js";

const PASSWORD = "correct horse battery staple";
const EXAMPLES = fileURLToPath(new URL("../../../examples/client/", import.meta.url));
const GUIDE = fileURLToPath(new URL("../../../docs/client.md", import.meta.url));
const realFetch = globalThis.fetch;

let baton: Baton;
let app: FastifyInstance;
let origin: string;
/** Server clock = real clock + this. */
let serverAheadMs = 0;
/** Answers by "METHOD path status", since the last reset. */
let answers = new Map<string, number>();
/** When set, POST /refresh waits until `needed` requests to /api/data were refused with 401. */
let gate: { needed: number; seen: number; open: Promise<void>; release: () => void } | undefined;
let users = 0;

beforeAll(async () => {
  baton = await createBaton({
    databaseUrl: "sqlite::memory:",
    authRateLimit: 0,
    logger: false,
    clock: { now: () => Date.now() + serverAheadMs },
  });
  app = Fastify();
  app.addHook("onRequest", async (request) => {
    if (request.url === "/api/auth/refresh") await gate?.open;
  });
  app.addHook("onResponse", async (request, reply) => {
    const key = `${request.method} ${request.url} ${reply.statusCode}`;
    answers.set(key, (answers.get(key) ?? 0) + 1);
    if (gate && key === "GET /api/data 401" && ++gate.seen === gate.needed) gate.release();
  });
  await app.register(batonFastify(baton));
  app.get("/api/data", { preHandler: baton.requireAuth() }, (request) => ({
    user: request.auth?.userId,
  }));
  app.post("/api/notes", { preHandler: baton.requireAuth() }, (request) => ({
    saved: request.body,
  }));
  origin = await app.listen({ port: 0, host: "127.0.0.1" });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await baton?.close();
});

beforeEach(() => {
  // A new browser for every test: an empty cookie jar.
  vi.stubGlobal("fetch", browserFetch());
  serverAheadMs = 0;
  gate = undefined;
  answers = new Map();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** `fetch` with a browser's cookie jar for a page on the server's origin. */
function browserFetch(): typeof fetch {
  const jar = new Map<string, { value: string; path: string }>();
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    if (url.origin === origin && request.credentials !== "omit") {
      const cookies = [...jar]
        .filter(([, cookie]) => url.pathname.startsWith(cookie.path))
        .map(([name, cookie]) => `${name}=${cookie.value}`);
      if (cookies.length > 0) headers.set("cookie", cookies.join("; "));
    }
    const response = await realFetch(new Request(request, { headers }));
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const [name = "", value = ""] = pair.split("=");
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? "/";
      if (attributes.some((a) => /^max-age=0$/i.test(a))) jar.delete(name);
      else jar.set(name, { value, path });
    }
    return response;
  };
}

/** A user signed in through the example's token module. */
async function signedIn(): Promise<BatonTokens> {
  const email = `guide-${++users}-${Date.now()}@example.com`;
  const registered = await fetch(`${origin}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  expect(registered.status).toBe(201);
  const tokens = createBatonTokens(`${origin}/api/auth`);
  await tokens.login(email, PASSWORD);
  return tokens;
}

/** The server's clock jumps past the access token's lifetime (15 min) and its tolerance. */
function expireAccessTokens(): void {
  serverAheadMs += 16 * 60_000;
  answers = new Map();
}

/** POST /refresh waits until `needed` requests were refused: every 401 arrives during it. */
function holdRefreshUntil401s(needed: number): void {
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  gate = { needed, seen: 0, open, release };
}

const count = (key: string) => answers.get(key) ?? 0;

/** Each example as a "GET /api/data" that resolves with the user id or rejects. */
const LIBRARIES: Record<string, (tokens: BatonTokens) => () => Promise<unknown>> = {
  fetch: (tokens) => {
    const apiFetch = createApiFetch(tokens);
    return async () => {
      const response = await apiFetch(`${origin}/api/data`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return ((await response.json()) as { user: string }).user;
    };
  },
  "axios with interceptors": (tokens) => {
    const api = createInterceptorApi(`${origin}/api`, tokens);
    return async () => (await api.get<{ user: string }>("/data")).data.user;
  },
  "axios with axios-auth-refresh": (tokens) => {
    const api = createAuthRefreshApi(`${origin}/api`, tokens);
    return async () => (await api.get<{ user: string }>("/data")).data.user;
  },
  ky: (tokens) => {
    const api = createKyApi(`${origin}/api`, tokens);
    return async () => (await api.get("data").json<{ user: string }>()).user;
  },
};

describe.each(Object.entries(LIBRARIES))("examples/client with %s", (_name, makeGet) => {
  it.each([
    ["while the refresh runs", true],
    ["before and after the refresh", false],
  ])(
    "20 concurrent requests on an expired token, refused %s: 20 successes, 1 refresh, 1 retry each",
    async (_when, held) => {
      const tokens = await signedIn();
      const get = makeGet(tokens);
      const before = tokens.accessToken;
      expireAccessTokens();
      if (held) holdRefreshUntil401s(20);
      const results = await Promise.allSettled(Array.from({ length: 20 }, get));
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(count("POST /api/auth/refresh 200")).toBe(1);
      expect(count("GET /api/data 401")).toBe(20);
      expect(count("GET /api/data 200")).toBe(20);
      expect(tokens.accessToken).not.toBe(before);
    },
  );

  it("leaves every other 401 to the caller, without a refresh", async () => {
    const tokens = createBatonTokens(`${origin}/api/auth`); // nobody signed in
    await expect(makeGet(tokens)()).rejects.toBeDefined();
    expect(count("GET /api/data 401")).toBe(1);
    expect(count("POST /api/auth/refresh 200") + count("POST /api/auth/refresh 401")).toBe(0);
  });
});

describe("examples/client/baton-tokens.ts", () => {
  it("restores the session from the refresh cookie, once for concurrent callers", async () => {
    const tokens = await signedIn();
    // A reload: the memory is gone, the cookie jar is not.
    const page = createBatonTokens(`${origin}/api/auth`);
    answers = new Map();
    const restored = await Promise.all([page.restore(), page.restore(), page.renew(null)]);
    expect(new Set(restored).size).toBe(1);
    expect(restored[0]).toEqual(expect.any(String));
    expect(restored[0]).not.toBe(tokens.accessToken);
    expect(count("POST /api/auth/refresh 200")).toBe(1);
  });

  it("without a session, restores nothing; a session that ended signs out with Baton's code", async () => {
    expect(await createBatonTokens(`${origin}/api/auth`).restore()).toBeNull();
    const tokens = await signedIn();
    const logout = await fetch(`${origin}/api/auth/logout`, {
      method: "POST",
      credentials: "include",
    });
    expect(logout.status).toBe(204);
    const error = await tokens.renew(tokens.accessToken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonError);
    expect(error).toMatchObject({ status: 401, code: "REFRESH_MISSING" });
    expect(tokens.accessToken).toBeNull();
  });

  it("fetch example: a POST's body is sent again on the retry", async () => {
    const apiFetch = createApiFetch(await signedIn());
    expireAccessTokens();
    const response = await apiFetch(`${origin}/api/notes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "hello" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ saved: { text: "hello" } });
    expect(count("POST /api/notes 401")).toBe(1);
  });
});

describe("axios-auth-refresh's default settings (deduplicateRefresh: true)", () => {
  /** The plugin as its README sets it up, with the same refresh call as the example. */
  function withDefaults(tokens: BatonTokens) {
    const api = axios.create({ baseURL: `${origin}/api` });
    api.interceptors.request.use((config) => {
      if (tokens.accessToken) config.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
      return config;
    });
    createAuthRefresh(
      api as Parameters<typeof createAuthRefresh>[0],
      async (failed: AxiosError) => {
        await tokens.renew(String(failed.config?.headers.get("Authorization")).slice(7));
      },
    );
    return api;
  }

  async function rejectedOf20(
    make: (tokens: BatonTokens) => { get: (path: string) => Promise<unknown> },
    held: boolean,
  ) {
    const api = make(await signedIn());
    expireAccessTokens();
    if (held) holdRefreshUntil401s(20);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => api.get("/data")));
    const rejected = results.filter((r) => r.status === "rejected");
    for (const { reason } of rejected) {
      expect(isAxiosError(reason) && reason.response?.status).toBe(401);
    }
    return rejected.length;
  }

  it("reject the requests that fail while its refresh runs with their original 401; the documented setting loses none", async () => {
    const documented = (tokens: BatonTokens) => createAuthRefreshApi(`${origin}/api`, tokens);
    const heldDefault = await rejectedOf20(withDefaults, true);
    const heldDocumented = await rejectedOf20(documented, true);
    const freeDefault = await rejectedOf20(withDefaults, false);
    const freeDocumented = await rejectedOf20(documented, false);
    console.info(
      `[guide] axios-auth-refresh, 20 concurrent requests on an expired token: default rejects ${heldDefault} ` +
        `(refresh slower than the 401s) and ${freeDefault} (refresh as fast as it goes); ` +
        `deduplicateRefresh: false rejects ${heldDocumented} and ${freeDocumented}`,
    );
    expect(heldDefault).toBe(19);
    expect(heldDocumented).toBe(0);
    expect(freeDocumented).toBe(0);
  });
});

describe("examples/client/with-baton-client.ts", () => {
  /** A signed-in @baton/client (body transport: Node has no cookie jar of its own). */
  async function signedInClient() {
    const auth = createAuthClient({
      baseUrl: `${origin}/api/auth`,
      transport: "body",
      environment: null,
    });
    await auth.register({
      email: `client-${++users}-${Date.now()}@example.com`,
      password: PASSWORD,
    });
    return { auth, ...createApisOverClient(auth, `${origin}/api`) };
  }

  it("ky over @baton/client: 20 concurrent requests on an expired token, 1 refresh", async () => {
    const { auth, kyApi } = await signedInClient();
    expireAccessTokens();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => kyApi.get("data").json<{ user: string }>()),
    );
    expect(new Set(results.map((r) => r.user)).size).toBe(1);
    expect(count("POST /api/auth/refresh 200")).toBe(1);
    expect(count("GET /api/data 200")).toBe(20);
    auth.dispose();
  });

  it("axios over @baton/client: the same", async () => {
    const { auth, axiosApi } = await signedInClient();
    expireAccessTokens();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => axiosApi.get<{ user: string }>("/data")),
    );
    expect(new Set(results.map((r) => r.data.user)).size).toBe(1);
    expect(count("POST /api/auth/refresh 200")).toBe(1);
    expect(count("GET /api/data 200")).toBe(20);
    auth.dispose();
  });

  it("ky reports a 401 it cannot fix as an HTTPError", async () => {
    const auth = createAuthClient({
      baseUrl: `${origin}/api/auth`,
      transport: "body",
      environment: null,
    });
    const { kyApi } = createApisOverClient(auth, `${origin}/api`);
    const error = await kyApi.get("data").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(401);
    auth.dispose();
  });
});

describe("docs/client.md shows the examples as they are", () => {
  it("has each file of examples/client/ in a ts block right after a link to it", () => {
    const guide = readFileSync(GUIDE, "utf8");
    const files = readdirSync(EXAMPLES).filter((file) => file.endsWith(".ts"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const link = `(../examples/client/${file})`;
      const at = guide.indexOf(link);
      expect(at, `docs/client.md links ${file}`).toBeGreaterThan(-1);
      const fence = guide.indexOf("```", at);
      const block = /^```ts\n([\s\S]*?)```/.exec(guide.slice(fence));
      expect(block?.[1], `the ts block after the link to ${file}`).toBe(
        readFileSync(`${EXAMPLES}${file}`, "utf8"),
      );
    }
  });
});

/**
 * The demo server without a browser: chat REST routes behind requireAuth, socket.io behind
 * Baton's socket authentication, presence, privacy of direct messages, persistence across a
 * restart, and the single-page-app file serving. Real HTTP, real sockets, a real SQLite file.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CHAT_EVENTS,
  MAX_MESSAGE_LENGTH,
  type ChatMessage,
  type PresenceUpdate,
  type SendResult,
} from "../server/chat/protocol.js";
import { startDemoServer, type DemoServer } from "../server/demo-server.js";

const PASSWORD = "correct horse battery";

/** The arguments of the next `event` on a socket.io client socket. */
function once(socket: Socket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

describe("demo server: chat API and sockets", () => {
  let dir: string;
  let server: DemoServer;
  const sockets: Socket[] = [];

  const start = async () =>
    startDemoServer({
      port: 0,
      host: "127.0.0.1",
      databaseUrl: `sqlite:${join(dir, "baton.db")}`,
      logger: false,
      authRateLimit: 0,
      staticDir: join(dir, "web"),
      socketSweepIntervalMs: 50,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "baton-demo-test-"));
    mkdirSync(join(dir, "web", "assets"), { recursive: true });
    writeFileSync(join(dir, "web", "index.html"), "<!doctype html><title>demo</title>");
    writeFileSync(join(dir, "web", "assets", "app-1234.js"), "console.log(1)");
    server = await start();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function register(name: string) {
    const email = `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const response = await fetch(`${server.url}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD, name, transport: "body" }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { accessToken: string; user: { id: string } };
    return { id: body.user.id, name, token: body.accessToken };
  }

  async function online(user: { token: string }): Promise<Socket> {
    const socket = connect(server.url, {
      auth: { token: user.token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await Promise.race([
      once(socket, "connect"),
      once(socket, "connect_error").then(([error]) => Promise.reject(error as Error)),
    ]);
    return socket;
  }

  const get = (path: string, token?: string) =>
    fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  const send = (socket: Socket, payload: unknown) =>
    socket.timeout(2_000).emitWithAck(CHAT_EVENTS.send, payload) as Promise<SendResult>;

  it("every chat route needs a valid access token", async () => {
    for (const path of ["/api/chat/users", "/api/chat/messages"]) {
      const response = await get(path);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        "TOKEN_MISSING",
      );
      expect((await get(path, "not-a-token")).status).toBe(401);
    }
  });

  it("sockets need a token in the handshake", async () => {
    const refused = connect(server.url, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(refused);
    const [error] = (await once(refused, "connect_error")) as [
      Error & { data?: { code?: string } },
    ];
    expect(error.data?.code).toBe("TOKEN_MISSING");
  });

  it("a message in #general reaches everyone live, and stays in the history", async () => {
    const ada = await register("Ada");
    const bob = await register("Bob");
    const [adaSocket, bobSocket] = await Promise.all([online(ada), online(bob)]);
    const received = once(bobSocket, CHAT_EVENTS.message) as Promise<[ChatMessage]>;
    const result = await send(adaSocket, { body: "  hello everyone  " });
    expect(result.ok).toBe(true);
    const [message] = await received;
    expect(message).toMatchObject({
      to: null,
      body: "hello everyone",
      from: { id: ada.id, name: "Ada" },
    });

    const history = (await (await get("/api/chat/messages", bob.token)).json()) as {
      messages: ChatMessage[];
    };
    expect(history.messages.at(-1)).toEqual(message);
  });

  it("direct messages reach only the two people, and only they can read them", async () => {
    const ada = await register("Ada");
    const bob = await register("Bob");
    const eve = await register("Eve");
    const [adaSocket, bobSocket, eveSocket] = await Promise.all([
      online(ada),
      online(bob),
      online(eve),
    ]);
    const eveGot: ChatMessage[] = [];
    eveSocket.on(CHAT_EVENTS.message, (message: ChatMessage) => eveGot.push(message));

    const bobGets = once(bobSocket, CHAT_EVENTS.message) as Promise<[ChatMessage]>;
    const result = await send(adaSocket, { to: bob.id, body: "just between us" });
    expect(result.ok).toBe(true);
    expect((await bobGets)[0]).toMatchObject({ to: bob.id, from: { id: ada.id } });

    const read = async (token: string, peer: string) =>
      (
        (await (await get(`/api/chat/messages?with=${peer}`, token)).json()) as {
          messages: ChatMessage[];
        }
      ).messages;
    expect((await read(bob.token, ada.id)).map((m) => m.body)).toEqual(["just between us"]);
    expect((await read(ada.token, bob.id)).map((m) => m.body)).toEqual(["just between us"]);
    // Eve can only ever ask for *her* conversations: with Ada, or with Bob; both are empty.
    expect(await read(eve.token, ada.id)).toEqual([]);
    expect(await read(eve.token, bob.id)).toEqual([]);
    // A round trip on Eve's socket proves the DM was not queued for her either.
    await send(eveSocket, { to: eve.id, body: "note to self" });
    expect(eveGot.map((m) => m.body)).toEqual(["note to self"]);
  });

  it("refuses bad messages and bad queries with the API's error codes", async () => {
    const ada = await register("Ada");
    const socket = await online(ada);
    const code = async (payload: unknown) => {
      const result = await send(socket, payload);
      return result.ok ? "ok" : result.error.code;
    };
    expect(await code({ body: "   " })).toBe("VALIDATION_FAILED");
    expect(await code({ body: "x".repeat(MAX_MESSAGE_LENGTH + 1) })).toBe("VALIDATION_FAILED");
    expect(await code({ body: 42 })).toBe("VALIDATION_FAILED");
    expect(await code("hello")).toBe("VALIDATION_FAILED");
    expect(await code({ body: "hi", to: "no-such-user" })).toBe("NOT_FOUND");
    expect(await code({ body: "x".repeat(MAX_MESSAGE_LENGTH) })).toBe("ok");

    const status = async (query: string) =>
      (await get(`/api/chat/messages?${query}`, ada.token)).status;
    expect(await status("limit=0")).toBe(400);
    expect(await status("limit=101")).toBe(400);
    expect(await status("before=abc")).toBe(400);
    expect(await status("before=5&after=1")).toBe(400);
    expect(await status("with=no-such-user")).toBe(404);
  });

  it("pages through history with before/after", async () => {
    const ada = await register("Ada");
    const bob = await register("Bob");
    const socket = await online(ada);
    for (let i = 1; i <= 25; i++)
      expect((await send(socket, { to: bob.id, body: `m${i}` })).ok).toBe(true);
    const page = async (query: string) =>
      (await (await get(`/api/chat/messages?with=${bob.id}&${query}`, ada.token)).json()) as {
        messages: ChatMessage[];
        hasMore: boolean;
      };
    const newest = await page("limit=10");
    expect(newest.messages.map((m) => m.body)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${i + 16}`),
    );
    expect(newest.hasMore).toBe(true);
    const older = await page(`limit=10&before=${newest.messages[0]!.id}`);
    expect(older.messages.map((m) => m.body)[0]).toBe("m6");
    const oldest = await page(`limit=10&before=${older.messages[0]!.id}`);
    expect(oldest.messages.map((m) => m.body)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(oldest.hasMore).toBe(false);
    const after = await page(`limit=3&after=${oldest.messages[4]!.id}`);
    expect(after.messages.map((m) => m.body)).toEqual(["m6", "m7", "m8"]);
    expect(after.hasMore).toBe(true);
  });

  it("presence: online with a first socket, offline when the last one goes", async () => {
    const ada = await register("Ada");
    const bob = await register("Bob");
    const adaSocket = await online(ada);
    const updates: PresenceUpdate[] = [];
    adaSocket.on(CHAT_EVENTS.presence, (update: PresenceUpdate) => updates.push(update));
    const names = () => updates.at(-1)?.online.map((user) => user.name) ?? [];

    const bobTab1 = await online(bob);
    await expect.poll(() => names().includes("Bob")).toBe(true);
    const bobTab2 = await online(bob);
    const count = updates.length;
    bobTab1.disconnect();
    // Bob still has a tab open: no change is announced.
    await send(adaSocket, { body: "sync" });
    expect(names()).toContain("Bob");
    bobTab2.disconnect();
    await expect.poll(() => names().includes("Bob")).toBe(false);
    expect(updates.length).toBe(count + 1);
    expect(server.chat.isOnline(bob.id)).toBe(false);

    const users = (await (await get("/api/chat/users", ada.token)).json()) as {
      users: { id: string; online: boolean }[];
    };
    expect(users.users.find((user) => user.id === ada.id)?.online).toBe(true);
    expect(users.users.find((user) => user.id === bob.id)?.online).toBe(false);
    expect(JSON.stringify(users)).not.toContain("@example.com");
  });

  it("a logout ends the socket with the reason, and presence follows", async () => {
    const ada = await register("Ada");
    const bob = await register("Bob");
    const adaSocket = await online(ada);
    const bobSocket = await online(bob);
    const ended = once(bobSocket, "baton:session-ended") as Promise<[{ code: string }]>;
    const response = await fetch(`${server.url}/api/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(response.status).toBe(204);
    expect((await ended)[0].code).toBe("SESSION_REVOKED");
    await expect.poll(() => bobSocket.connected).toBe(false);
    expect(server.chat.isOnline(bob.id)).toBe(false);
    expect(adaSocket.connected).toBe(true);
  });

  it("messages survive a restart of the server (same SQLite file)", async () => {
    const ada = await register("Ada");
    const socket = await online(ada);
    expect((await send(socket, { body: "written before the restart" })).ok).toBe(true);
    socket.disconnect();
    await server.close();
    server = await start();
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: await emailOf(ada.id), password: PASSWORD, transport: "body" }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const history = (await (await get("/api/chat/messages", accessToken)).json()) as {
      messages: ChatMessage[];
    };
    expect(history.messages.map((m) => m.body)).toContain("written before the restart");
  });

  async function emailOf(id: string): Promise<string> {
    return (await server.baton.store.findUserById(id))!.email;
  }

  it("serves the web app: files, client-side routes, a CSP, and 404s for the rest", async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain("<title>demo</title>");
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(index.headers.get("cache-control")).toBe("no-cache");

    for (const route of ["/chat", "/chat/some-user-id", "/security", "/admin"]) {
      const page = await fetch(`${server.url}${route}`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
    }

    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    expect(asset.headers.get("cache-control")).toContain("immutable");

    for (const missing of [
      "/logo.png",
      "/api/chat/nope",
      "/api",
      "/assets/..%2f..%2fbaton.db",
      "/%2e%2e/baton.db",
    ]) {
      const response = await fetch(`${server.url}${missing}`);
      expect(response.status, missing).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
    // Baton's own routes are untouched.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/.well-known/jwks.json`)).status).toBe(200);
  });
});

describe("demo server without a built web app", () => {
  it("still serves the API, and pages explain how to build the app", async () => {
    const server = await startDemoServer({
      port: 0,
      host: "127.0.0.1",
      databaseUrl: "sqlite::memory:",
      logger: false,
      staticDir: undefined,
    });
    try {
      const page = await fetch(`${server.url}/chat`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain("npm run build -w @baton/demo");
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("the development inbox", () => {
  it("exists in development only: production has no /api/dev/inbox and its pages do not announce one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-demo-prod-"));
    mkdirSync(join(dir, "web"), { recursive: true });
    writeFileSync(
      join(dir, "web", "index.html"),
      "<!doctype html><head><title>demo</title></head>",
    );
    const start = (production: boolean) =>
      startDemoServer({
        port: 0,
        host: "127.0.0.1",
        databaseUrl: "sqlite::memory:",
        logger: false,
        staticDir: join(dir, "web"),
        ...(production && { production, secret: randomBytes(32).toString("base64") }),
      });
    try {
      for (const production of [false, true]) {
        const server = await start(production);
        try {
          const inbox = await fetch(`${server.url}/api/dev/inbox`);
          const page = await (await fetch(`${server.url}/login`)).text();
          expect([inbox.status, page.includes('name="demo-dev-inbox"')]).toEqual(
            production ? [404, false] : [200, true],
          );
        } finally {
          await server.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

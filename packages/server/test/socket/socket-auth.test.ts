import { createServer, type Server as HttpServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  REAUTH_EVENT,
  SESSION_ENDED_EVENT,
  batonSocketAuth,
  type SocketAuth,
} from "@baton/server/socket";
import { PASSWORD, signUp, startTestServer, type TestServer } from "../support/test-server.js";

/** The next `event` on a socket.io client socket, with its arguments. */
function nextEvent(socket: ClientSocket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

describe("socket authentication (socket.io)", () => {
  let server: TestServer;
  let http: HttpServer;
  let io: Server;
  let sockets: SocketAuth;
  let url: string;
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    server = await startTestServer("fastify", {
      accessTokenTtl: "60s",
      adminEmail: "root@example.com",
      adminPassword: "admin-password-1",
    });
    http = createServer();
    io = new Server(http);
    sockets = batonSocketAuth(server.baton, { sweepIntervalMs: 100 });
    io.use(sockets.middleware);
    io.on("connection", (socket) => {
      socket.on("whoami", (ack: (value: unknown) => void) => ack(socket.data.auth));
      socket.on("echo", (text: string, ack: (value: unknown) => void) => ack(text));
    });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await new Promise<void>((resolve) => void io.close(() => resolve()));
    await server.close();
  });

  function open(
    auth: Record<string, unknown> | undefined,
    query?: Record<string, string>,
  ): ClientSocket {
    const client = connect(url, {
      auth,
      query,
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    clients.push(client);
    return client;
  }
  async function connected(client: ClientSocket): Promise<void> {
    await Promise.race([
      nextEvent(client, "connect"),
      nextEvent(client, "connect_error").then(([error]) => Promise.reject(error as Error)),
    ]);
  }
  async function refused(client: ClientSocket): Promise<string> {
    const [error] = (await nextEvent(client, "connect_error")) as [
      Error & { data?: { code: string } },
    ];
    return error.data?.code ?? "none";
  }
  async function endedWith(client: ClientSocket): Promise<{ code: string; message: string }> {
    // Both listeners at once: the two packets may be handled in the same tick.
    const [[reason]] = (await Promise.all([
      nextEvent(client, SESSION_ENDED_EVENT),
      nextEvent(client, "disconnect"),
    ])) as [[{ code: string; message: string }], unknown];
    return reason;
  }

  it("the handshake needs a valid access token in auth.token — never the URL", async () => {
    const { accessToken, user } = await signUp(server, "ada@example.com");
    expect(await refused(open(undefined))).toBe("TOKEN_MISSING");
    expect(await refused(open({ token: "garbage" }))).toBe("TOKEN_INVALID");
    expect(await refused(open(undefined, { token: accessToken }))).toBe("TOKEN_MISSING");
    const client = open({ token: accessToken });
    await connected(client);
    const who = await client.emitWithAck("whoami");
    expect(who).toMatchObject({ userId: user.id, sessionId: expect.any(String), roles: ["user"] });
    expect(sockets.size).toBe(1);
  });

  it("re-authenticating the live socket with the next token keeps it connected past the old token's expiry", async () => {
    const { client: http, accessToken } = await signUp(server, "ada@example.com");
    const socket = open({ token: accessToken });
    await connected(socket);
    const id = socket.id;
    server.clock.advance(50_000);
    const refreshed = await http.post("/api/auth/refresh");
    expect(await socket.emitWithAck(REAUTH_EVENT, refreshed.body.accessToken)).toMatchObject({
      ok: true,
    });
    server.clock.advance(20_000); // the first token is now past exp + tolerance; the second is not
    sockets.sweep();
    expect(await socket.emitWithAck("echo", "still here")).toBe("still here");
    expect(socket.id).toBe(id); // same socket: no reconnect, nothing lost
  });

  it("a socket whose token lapsed without re-authentication is told why and disconnected", async () => {
    const { accessToken } = await signUp(server, "ada@example.com");
    const socket = open({ token: accessToken });
    await connected(socket);
    server.clock.advance(60_000 + 5_000);
    const ended = endedWith(socket);
    sockets.sweep();
    expect(await ended).toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("logout elsewhere disconnects the session's socket within a second, with SESSION_REVOKED", async () => {
    const { client: http, accessToken } = await signUp(server, "ada@example.com");
    const socket = open({ token: accessToken });
    await connected(socket);
    const ended = endedWith(socket);
    const started = performance.now();
    expect((await http.post("/api/auth/logout")).status).toBe(204);
    expect(await ended).toMatchObject({ code: "SESSION_REVOKED" });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("password change and role changes end the other sockets", async () => {
    const ada = await signUp(server, "ada@example.com");
    const laptop = server.client();
    const laptopLogin = await laptop.post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    const laptopSocket = open({ token: laptopLogin.body.accessToken });
    await connected(laptopSocket);
    const laptopEnded = endedWith(laptopSocket);
    const changed = await ada.client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword: "a new secret phrase" },
      { token: ada.accessToken },
    );
    expect(changed.status).toBe(200);
    expect(await laptopEnded).toMatchObject({ code: "SESSION_REVOKED" });

    const socket = open({ token: changed.body.accessToken });
    await connected(socket);
    const admin = await server
      .client()
      .post("/api/auth/login", { email: "root@example.com", password: "admin-password-1" });
    const roleEnded = endedWith(socket);
    await server.client().request("PUT", `/api/auth/admin/users/${ada.user.id}/roles`, {
      token: admin.body.accessToken,
      json: { roles: [] },
    });
    expect(await roleEnded).toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("a token of another user cannot take over a socket", async () => {
    const ada = await signUp(server, "ada@example.com");
    const bob = await signUp(server, "bob@example.com");
    const socket = open({ token: ada.accessToken });
    await connected(socket);
    expect(await socket.emitWithAck(REAUTH_EVENT, bob.accessToken)).toEqual({
      ok: false,
      code: "FORBIDDEN",
    });
    expect(await socket.emitWithAck(REAUTH_EVENT, "garbage")).toEqual({
      ok: false,
      code: "TOKEN_INVALID",
    });
    expect(await socket.emitWithAck("whoami")).toMatchObject({ userId: ada.user.id });
  });
});

/**
 * The anonymous first visit: a browser page with cookie transport restores the session only when
 * the server's readable `baton_session=1` hint cookie says there is one, so a visitor who never
 * signed in causes no `POST /refresh` (and no red 401 in the console).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryTokenStore } from "../src/token-store.js";
import { settle } from "./support/manual-clock.js";
import { EMAIL, PASSWORD, setup } from "./support/setup.js";

const REFRESH = "/api/auth/refresh";

/** A browser page at http://app.test/ whose `document.cookie` the test writes. */
function browserPage(cookie = "") {
  const page = { cookie };
  vi.stubGlobal("window", {});
  vi.stubGlobal("document", page);
  vi.stubGlobal("location", { origin: "http://app.test", href: "http://app.test/orders" });
  return page;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the session hint cookie", () => {
  it("without it, a page is anonymous at once and sends no POST /refresh", async () => {
    browserPage("theme=dark");
    const { reload, server, ended } = await setup();
    const page = reload();
    await expect(page.ready()).resolves.toEqual({ status: "anonymous", user: null });
    await expect(page.getAccessToken()).resolves.toBeNull();
    expect(server.count(REFRESH)).toBe(0);
    expect(server.requests).toEqual([]);
    expect(ended).toEqual([]);
    page.dispose();
  });

  it("with it, a reload restores the session as before", async () => {
    const cookies = browserPage();
    const { client, reload, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    client.dispose();
    cookies.cookie = "theme=dark; baton_session=1";

    const page = reload();
    await expect(page.ready()).resolves.toMatchObject({ status: "authenticated" });
    expect(server.count(REFRESH)).toBe(1);
    page.dispose();
  });

  it("is read when the restore runs, not when the client is created", async () => {
    const cookies = browserPage();
    const { client, reload, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    const page = reload({ autoStart: false });
    cookies.cookie = "baton_session=1"; // another tab signed in meanwhile
    await expect(page.ready()).resolves.toMatchObject({ status: "authenticated" });
    expect(server.count(REFRESH)).toBe(1);
  });

  it("`sessionHint: false` asks the server whatever the cookies say", async () => {
    browserPage();
    const { reload, server } = await setup();
    const page = reload({ sessionHint: false });
    await expect(page.ready()).resolves.toEqual({ status: "anonymous", user: null });
    expect(server.count(REFRESH)).toBe(1);
    page.dispose();
  });

  it("is not consulted when the auth server is on another host (its cookies are invisible here)", async () => {
    browserPage();
    const { reload, server } = await setup();
    const page = reload({ baseUrl: "http://auth.example.test/api/auth" });
    await expect(page.ready()).resolves.toEqual({ status: "anonymous", user: null });
    expect(server.requests.map((request) => `${request.origin} ${request.path}`)).toEqual([
      `http://auth.example.test ${REFRESH}`,
    ]);
    page.dispose();
  });

  it("is consulted on the page's host whatever the port (cookies ignore ports)", async () => {
    browserPage();
    const { reload, server } = await setup();
    const page = reload({ baseUrl: "http://app.test:3000/api/auth" });
    await expect(page.ready()).resolves.toEqual({ status: "anonymous", user: null });
    expect(server.count(REFRESH)).toBe(0);
    page.dispose();
  });

  it("is not consulted with body transport: the refresh token is in the token store", async () => {
    browserPage();
    const { reload, server } = await setup();
    const tokenStore = createMemoryTokenStore();
    const first = reload({ transport: "body", tokenStore });
    await first.login({ email: EMAIL, password: PASSWORD });
    first.dispose();
    server.requests.length = 0;

    const page = reload({ transport: "body", tokenStore });
    await expect(page.ready()).resolves.toMatchObject({ status: "authenticated" });
    expect(server.count(REFRESH)).toBe(1);
    page.dispose();
  });

  it("does not stop a refresh while a token is held, nor a login", async () => {
    browserPage();
    const { client, server } = await setup();
    await client.login({ email: EMAIL, password: PASSWORD });
    await client.refresh();
    await settle();
    expect(client.status).toBe("authenticated");
    expect(server.count(REFRESH)).toBe(1);
  });
});

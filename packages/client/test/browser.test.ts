/**
 * The client in a real browser (Debian's chromium through playwright-core) against the real
 * Baton server: a Fastify app serving a test page and mounting Baton on the same origin, so the
 * refresh cookie, CSRF checks, BroadcastChannel and Web Locks are all the real thing.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import Fastify, { type FastifyInstance } from "fastify";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describeInBrowser, launchChromium } from "../../../test-support/chromium.js";
import { createBaton, type AuditEvent, type Baton } from "@baton/server";
import { batonFastify } from "@baton/server/fastify";
import { afterAll, beforeAll, expect, it } from "vitest";

const BUSY_MS = Number(process.env.BATON_BROWSER_BUSY_MS ?? 60_000);
const PASSWORD = "correct horse battery staple";

describeInBrowser("two tabs in a real browser", () => {
  let baton: Baton;
  let app: FastifyInstance;
  let browser: Browser;
  let context: BrowserContext;
  let url: string;
  const events: AuditEvent[] = [];
  const count = (type: string) => events.filter((event) => event.type === type).length;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL("./browser/page.tsx", import.meta.url))],
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "chrome120",
      jsx: "automatic",
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]!.text;

    baton = await createBaton({
      databaseUrl: "sqlite::memory:",
      accessTokenTtl: "4s",
      authRateLimit: 0,
      logger: false,
      onAuditEvent: (event) => events.push(event),
    });
    app = Fastify();
    await app.register(batonFastify(baton));
    app.get("/", (_request, reply) =>
      reply
        .type("text/html")
        .send(
          '<!doctype html><title>baton</title><div id="root"></div><script type="module" src="/app.js"></script>',
        ),
    );
    app.get("/app.js", (_request, reply) => reply.type("text/javascript").send(script));
    app.get("/api/data", { preHandler: baton.requireAuth() }, (request) => ({
      ok: true,
      user: request.auth?.userId,
    }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;

    browser = await launchChromium();
    // No hint cookie planted: the server's own `baton_session` cookie is what makes pages restore.
    context = await browser.newContext();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await baton?.close();
  });

  async function open(): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`[browser] page error: ${error.message}`));
    await page.goto(url);
    await page.waitForFunction(() => window.__baton?.client.status !== "loading");
    return page;
  }

  const status = (page: Page) => page.evaluate(() => window.__baton.client.status);
  const stats = (page: Page) => page.evaluate(() => window.__baton.stats);

  it(
    "two busy tabs for a minute with 4 s tokens: no logout, no REFRESH_REUSED, cookie out of reach",
    async () => {
      const a = await open();
      expect(await status(a)).toBe("anonymous");
      expect(await a.locator("#signed-out").textContent()).toBe("Please sign in");
      const email = `tabs-${Date.now()}@example.com`;
      await a.evaluate(
        ({ email, password }) => window.__baton.client.register({ email, password }),
        { email, password: PASSWORD },
      );
      expect(await a.locator("#user").textContent()).toBe(email);

      const b = await open();
      expect(await status(b)).toBe("authenticated");
      // StrictMode mounted the provider twice; the page still restored with at most one refresh.
      expect((await stats(b)).refreshRequests).toBeLessThanOrEqual(1);

      const refreshedBefore = count("token.refreshed");
      const graceBefore = count("refresh.grace");
      const started = Date.now();
      await a.evaluate(() => window.__baton.startBusy());
      await b.evaluate(() => window.__baton.startBusy());
      await new Promise((resolve) => setTimeout(resolve, BUSY_MS));
      await a.evaluate(() => window.__baton.stopBusy());
      await b.evaluate(() => window.__baton.stopBusy());
      const seconds = (Date.now() - started) / 1000;

      const [statsA, statsB] = [await stats(a), await stats(b)];
      const rotations = count("token.refreshed") - refreshedBefore;
      const graceAnswers = count("refresh.grace") - graceBefore;
      console.info(
        `[browser] ${seconds.toFixed(0)} s busy: tab A ${statsA.ok} ok / ${statsA.failed} failed, tab B ${statsB.ok} ok / ${statsB.failed} failed; ` +
          `${rotations} refreshes (A sent ${statsA.refreshRequests}, B ${statsB.refreshRequests}), ${graceAnswers} grace answers, ` +
          `${count("refresh.reused")} reuse detections`,
      );

      expect([await status(a), await status(b)]).toEqual(["authenticated", "authenticated"]);
      expect(statsA.sessionEnded).toEqual([]);
      expect(statsB.sessionEnded).toEqual([]);
      expect([...statsA.errors, ...statsB.errors]).toEqual([]);
      expect(count("refresh.reused")).toBe(0);
      expect(statsA.ok).toBeGreaterThan(100);
      expect(statsB.ok).toBeGreaterThan(100);
      // One refresh per token lifetime for the pair of tabs, not one per tab. A "4 s" token lives
      // 3–4 s (iat is truncated to the second) and is refreshed 1–1.25 s early: one refresh per
      // 1.75–3 s at most, where two tabs each refreshing on their own would make twice as many.
      expect(rotations).toBeGreaterThanOrEqual(Math.floor(seconds / 3));
      expect(rotations).toBeLessThanOrEqual(Math.ceil(seconds / 1.75));

      // The refresh token is an HttpOnly cookie: the browser has it, scripts never see it.
      const cookie = (await context.cookies()).find((c) => c.name.includes("refresh_token"));
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.path).toBe("/api/auth");
      for (const page of [a, b]) {
        const visible = await page.evaluate(() => ({
          cookie: document.cookie,
          storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
        }));
        const accessToken = await page.evaluate(() => window.__baton.client.getAccessToken());
        expect(visible.cookie).not.toContain(cookie!.value);
        expect(visible.cookie).not.toContain("refresh_token");
        expect(visible.storage).not.toContain(cookie!.value);
        expect(visible.storage).not.toContain(accessToken!);
      }
      expect([...statsA.cookieLeaks, ...statsB.cookieLeaks]).toEqual([]);

      await a.close();
      await b.close();
    },
    BUSY_MS + 60_000,
  );

  it("a reload restores the session; logout in one tab makes the other anonymous within a second", async () => {
    const a = await open();
    const b = await open();
    const email = `logout-${Date.now()}@example.com`;
    await a.evaluate(({ email, password }) => window.__baton.client.register({ email, password }), {
      email,
      password: PASSWORD,
    });
    await b.waitForFunction(() => window.__baton.client.status === "authenticated");

    await b.reload();
    await b.waitForFunction(() => window.__baton.client.status !== "loading");
    expect(await status(b)).toBe("authenticated");
    expect(await b.evaluate(() => window.__baton.client.user?.email)).toBe(email);
    expect(await b.locator("#user").textContent()).toBe(email);
    expect((await stats(b)).statuses.map((s) => s.status)).toEqual(["loading", "authenticated"]);

    const loggedOutAt = await a.evaluate(async () => {
      const at = Date.now();
      await window.__baton.client.logout();
      return at;
    });
    await b.waitForFunction(() => window.__baton.client.status === "anonymous", undefined, {
      timeout: 1_000,
    });
    const anonymousAt = (await stats(b)).statuses.at(-1)!.at;
    console.info(`[browser] logout reached the other tab in ${anonymousAt - loggedOutAt} ms`);
    expect(anonymousAt - loggedOutAt).toBeLessThan(1_000);
    expect((await stats(b)).sessionEnded).toEqual(["LOGOUT"]);
    expect(await b.locator("#signed-out").textContent()).toBe("Please sign in");

    // And the server really ended it: a reload finds no session.
    await b.reload();
    await b.waitForFunction(() => window.__baton.client.status !== "loading");
    expect(await status(b)).toBe("anonymous");
    await a.close();
    await b.close();
  });

  it("an anonymous first visit sends no POST /refresh and prints no error in the console", async () => {
    const visitor = await browser.newContext();
    const page = await visitor.newPage();
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__baton?.client.status !== "loading");
    expect(await status(page)).toBe("anonymous");
    expect(await page.locator("#signed-out").textContent()).toBe("Please sign in");
    expect((await stats(page)).refreshRequests).toBe(0);
    expect(consoleErrors).toEqual([]);
    await visitor.close();
  });
});

/**
 * A fresh Vite app in front of Baton, with the proxy Vite's documentation shows first:
 * `proxy: { "/api": "http://localhost:3000" }`. The short form sets `changeOrigin`, so Baton sees
 * `Host: localhost:<baton port>` and `Origin: http://localhost:<vite port>` (the page's). Real
 * Vite dev server, real Baton, real Chromium: nothing configured beyond what Vite's docs show.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startServer, type RunningServer, type ServerOptions } from "@baton/server";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchBrowser, PASSWORD } from "./e2e/support/harness.js";

interface Stack {
  page: Page;
  close(): Promise<void>;
}

describeInBrowser("a Vite dev server with its default proxy in front of Baton", () => {
  let browser: Browser;
  let dir: string;
  const stacks: Stack[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), "baton-vite-proxy-"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>fresh vite app</title>");
  });
  afterEach(async () => {
    for (const stack of stacks.splice(0)) await stack.close();
  });
  afterAll(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Baton on a free port, a Vite dev server proxying /api to it, and a page of the Vite app. */
  async function stack(options: ServerOptions): Promise<Stack> {
    const baton: RunningServer = await startServer({
      port: 0,
      host: "127.0.0.1",
      databaseUrl: `sqlite:${join(mkdtempSync(join(dir, "db-")), "baton.db")}`,
      logger: false,
      ...options,
    });
    const port = (baton.app.server.address() as AddressInfo).port;
    let vite: ViteDevServer | undefined;
    try {
      vite = await createServer({
        configFile: false,
        root: dir,
        logLevel: "silent",
        // The short form, as in https://vite.dev/config/server-options#server-proxy.
        server: { host: "127.0.0.1", port: 0, proxy: { "/api": `http://localhost:${port}` } },
      });
      await vite.listen();
      const vitePort = (vite.httpServer!.address() as AddressInfo).port;
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`http://localhost:${vitePort}/`);
      const running = vite;
      return {
        page,
        async close() {
          await context.close();
          await running.close();
          await baton.close();
        },
      };
    } catch (error) {
      await vite?.close();
      await baton.close();
      throw error;
    }
  }

  /** A same-origin JSON POST from the page, as any SPA sends it. */
  const post = (page: Page, path: string, body: unknown) =>
    page.evaluate(
      async ([path, body]) => {
        const response = await fetch(path, {
          method: "POST",
          headers: { "content-type": "application/json" },
          credentials: "include",
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as unknown };
      },
      [path, body] as const,
    );

  it("in development, register, login, /me and a cookie refresh through the proxy just work", async () => {
    const running = await stack({ production: false });
    stacks.push(running);
    const { page } = running;
    const email = "vite@example.com";
    const registered = await post(page, "/api/auth/register", { email, password: PASSWORD });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const login = await post(page, "/api/auth/login", { email, password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const accessToken = (login.body as { accessToken: string }).accessToken;
    const me = await page.evaluate(async (token) => {
      const response = await fetch("/api/auth/me", {
        headers: { authorization: `Bearer ${token}` },
      });
      return response.status;
    }, accessToken);
    expect(me).toBe(200);
    const refreshed = await post(page, "/api/auth/refresh", {});
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  });

  it("in production, the same proxied login is refused with CSRF_FAILED (exact origins only)", async () => {
    const running = await stack({
      production: true,
      secret: randomBytes(32).toString("base64url"),
    });
    stacks.push(running);
    const { page } = running;
    const registered = await post(page, "/api/auth/register", {
      email: "prod@example.com",
      password: PASSWORD,
    });
    expect(registered.status).toBe(403);
    expect(registered.body).toMatchObject({ error: { code: "CSRF_FAILED" } });
  });
});

/**
 * End-to-end harness: the real demo server (Baton + chat + socket.io + the built web app) on a
 * free port over a temporary SQLite file, and Debian's chromium driven by playwright-core.
 * Nothing is mocked; tests wait for conditions (selectors, polls, events), never for time.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { AuditEvent } from "@baton/server";
import { buildSpa } from "../../../server/build-spa.js";
import type { ChatSocketEvent } from "../../../server/chat/chat-hub.js";
import {
  startDemoServer,
  type DemoServer,
  type DemoServerOptions,
} from "../../../server/demo-server.js";

// The browser comes from the repository's one launcher (test-support/chromium.ts).
export {
  describeInBrowser,
  launchChromium as launchBrowser,
} from "../../../../../test-support/chromium.js";

export const PASSWORD = "correct horse battery staple";
export const ADMIN = { email: "admin@example.com", password: "admin-password-for-tests" };
/** Screenshots of every page, for people (the committed set in docs/screenshots comes from here). */
export const SCREENSHOTS = fileURLToPath(
  new URL("../../../test-results/screenshots/", import.meta.url),
);

export interface Demo {
  url: string;
  server: DemoServer;
  audit: AuditEvent[];
  sockets: ChatSocketEvent[];
  close(): Promise<void>;
}

/**
 * Builds the web app into a temporary folder (from the current sources: a stale dist can never
 * be what is tested) and starts the demo server on port 0 with a fresh SQLite file.
 */
export async function startDemo(options: DemoServerOptions = {}): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), "baton-demo-e2e-"));
  const staticDir = await buildSpa({ outDir: join(dir, "web"), quiet: true });
  const audit: AuditEvent[] = [];
  const server = await startDemoServer({
    port: 0,
    host: "127.0.0.1",
    databaseUrl: `sqlite:${join(dir, "baton.db")}`,
    logger: false,
    // Every browser context shares 127.0.0.1: the per-IP limit would throttle the test itself.
    authRateLimit: 0,
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    staticDir,
    onAuditEvent: (event) => audit.push(event),
    ...options,
  });
  const sockets: ChatSocketEvent[] = [];
  server.chat.onSocketEvent((event) => sockets.push(event));
  return {
    url: server.url,
    server,
    audit,
    sockets,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const IPHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

/** A browser context ("a device") with one page, failing the test on page errors. */
export async function openDevice(
  browser: Browser,
  options: { userAgent?: string; mobile?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    ...(options.userAgent && { userAgent: options.userAgent }),
    ...(options.mobile
      ? {
          viewport: { width: 390, height: 780 },
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true,
        }
      : { viewport: { width: 1280, height: 800 } }),
    colorScheme: "light",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

export async function signUp(
  page: Page,
  url: string,
  user: { name: string; email: string },
): Promise<void> {
  await page.goto(`${url}/signup`);
  await page.getByLabel("Display name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await waitLive(page);
}

export async function logIn(
  page: Page,
  url: string,
  email: string,
  password = PASSWORD,
): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await waitLive(page);
}

/** Signed in, and the chat socket connected. */
export async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="connection"][data-state="connected"]');
}

export async function socketId(page: Page): Promise<string> {
  return (await page.getByTestId("connection").getAttribute("data-socket-id")) ?? "";
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: /^Message / });
  await box.fill(text);
  await box.press("Enter");
  await expectMessage(page, text);
}

export async function expectMessage(page: Page, text: string): Promise<void> {
  await page.getByTestId("messages").getByText(text, { exact: true }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Transient toasts would cover the page in the picture.
  const dismiss = page.getByRole("button", { name: "Dismiss notification" });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  // Fonts and the last layout pass settle before the picture (no timing guess involved).
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  // Finished transitions (a drawer half-way in would be a poor picture).
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: "disabled" });
}

export function uniqueEmail(name: string): string {
  return `${name.toLowerCase()}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

/** Logs in over HTTP (no browser) and returns an access token, for direct API checks. */
export async function apiLogin(url: string, email: string, password = PASSWORD): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, transport: "body" }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

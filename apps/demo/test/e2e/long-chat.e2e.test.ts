/**
 * The socket follows the token's life: with 3-second access tokens, two users chat for a minute.
 * Each token is refreshed before it expires and re-sent on the live socket (`baton:reauth`), so
 * nobody is signed out, each socket keeps its id from start to end, and every message arrives.
 * The clock tolerance is 1 s, so a socket whose re-authentication failed even once would be
 * dropped within a few seconds, and the test would see it.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeInBrowser,
  expectMessage,
  launchBrowser,
  openDevice,
  screenshot,
  sendMessage,
  signUp,
  socketId,
  startDemo,
  uniqueEmail,
  type Demo,
} from "./support/harness.js";

const CHAT_FOR_MS = Number(process.env.DEMO_LONG_CHAT_MS ?? 60_000);
const ACCESS_TTL = "3s";

describeInBrowser("a minute of chat on 3-second access tokens", () => {
  let demo: Demo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([
      startDemo({ accessTokenTtl: ACCESS_TTL, clockTolerance: "1s" }),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it(
    "no logout, the same socket throughout, every message delivered",
    async () => {
      const grace = await openDevice(browser);
      const linus = await openDevice(browser);
      const users = [
        { name: "Grace Hopper", email: uniqueEmail("grace"), page: grace.page },
        { name: "Linus Torvalds", email: uniqueEmail("linus"), page: linus.page },
      ] as const;
      for (const user of users) await signUp(user.page, demo.url, user);
      const sockets = await Promise.all(users.map((user) => socketId(user.page)));
      const userIds = await Promise.all(users.map((user) => userIdOf(demo, user.email)));

      const started = Date.now();
      let round = 0;
      let sent = 0;
      while (Date.now() - started < CHAT_FOR_MS) {
        round += 1;
        for (const [index, from] of users.entries()) {
          const to = users[1 - index]!;
          // Pace the conversation by the tokens themselves: one message per re-authentication,
          // so every message travels on a socket that has just switched tokens.
          await nextReauth(from.page);
          const text = `Round ${round}: ${from.name} → ${to.name}`;
          await sendMessage(from.page, text);
          await expectMessage(to.page, text);
          sent += 1;
        }
        // Still the very same sockets: re-authenticated in place, never reconnected.
        expect(await Promise.all(users.map((user) => socketId(user.page)))).toEqual(sockets);
      }
      const elapsedMs = Date.now() - started;
      await screenshot(grace.page, "12-long-chat");

      for (const [index, user] of users.entries()) {
        expect(new URL(user.page.url()).pathname).toBe("/chat");
        expect(await user.page.getByTestId("signed-out-notice").count()).toBe(0);
        expect(await user.page.getByTestId("connection").getAttribute("data-state")).toBe(
          "connected",
        );
        // The server saw one connection per user, and no disconnection at all.
        const events = demo.sockets.filter((event) => event.userId === userIds[index]);
        expect(events.filter((event) => event.type === "connect")).toHaveLength(1);
        expect(events.filter((event) => event.type === "disconnect")).toEqual([]);
      }
      expect(grace.errors).toEqual([]);
      expect(linus.errors).toEqual([]);

      const refreshes = userIds.map(
        (id) =>
          demo.audit.filter((event) => event.type === "token.refreshed" && event.userId === id)
            .length,
      );
      const reauths = userIds.map(
        (id) =>
          demo.sockets.filter((event) => event.type === "reauth" && event.userId === id).length,
      );
      const reused = demo.audit.filter((event) => event.type === "refresh.reused").length;
      const minimum = Math.floor(elapsedMs / 3_000);
      console.log(
        `[demo e2e] ${Math.round(elapsedMs / 1000)} s of chat on ${ACCESS_TTL} tokens: ${sent} messages in ${round} rounds; ` +
          `refreshes per user ${refreshes.join(" / ")}, socket re-authentications ${reauths.join(" / ")}, ` +
          `reconnects 0, REFRESH_REUSED ${reused}`,
      );
      expect(reused).toBe(0);
      for (let i = 0; i < users.length; i++) {
        // A 3-second token lasts at most 3 s: covering the minute takes at least one per 3 s.
        expect(refreshes[i]).toBeGreaterThanOrEqual(minimum);
        expect(reauths[i]).toBeGreaterThanOrEqual(minimum);
      }

      // The Security page's live view of the same socket (client-side navigation: same socket).
      await grace.page.getByRole("link", { name: "Security" }).click();
      await grace.page.getByTestId("reauth-count").waitFor();
      expect(await socketId(grace.page)).toBe(sockets[0]);
      await screenshot(grace.page, "13-live-connection");
    },
    CHAT_FOR_MS + 60_000,
  );
});

/** Resolves when the page's socket has been re-authenticated once more than now. */
async function nextReauth(page: Page): Promise<void> {
  const now = Number(await page.getByTestId("connection").getAttribute("data-reauths"));
  await page.waitForFunction(
    (count) =>
      Number(document.querySelector('[data-testid="connection"]')?.getAttribute("data-reauths")) >
      count,
    now,
    { timeout: 10_000 },
  );
}

async function userIdOf(demo: Demo, email: string): Promise<string> {
  const user = await demo.server.baton.store.findUserByEmail(email);
  if (!user) throw new Error(`no user ${email}`);
  return user.id;
}

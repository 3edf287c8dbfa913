/**
 * The first visit of someone who never signed in, and the reload of someone who did, with no
 * cookie planted by the test: the server's own `baton_session` hint cookie decides whether the
 * page asks to restore a session. An anonymous visitor's console stays free of a red 401.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeInBrowser,
  launchBrowser,
  openDevice,
  signUp,
  startDemo,
  uniqueEmail,
  waitLive,
  type Demo,
} from "./support/harness.js";

/** Console errors and answers of status 401 or more, as a developer's DevTools would show them. */
function watch(page: Page): { consoleErrors: string[]; failed: string[] } {
  const seen = { consoleErrors: [] as string[], failed: [] as string[] };
  page.on("console", (message) => {
    if (message.type() === "error") seen.consoleErrors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400) seen.failed.push(`${response.status()} ${response.url()}`);
  });
  return seen;
}

describeInBrowser("the demo's first visit and reload", () => {
  let demo: Demo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it("an anonymous first visit logs no 401 and no console error", async () => {
    const { context, page, errors } = await openDevice(browser);
    const seen = watch(page);
    await page.goto(demo.url);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(seen.failed).toEqual([]);
    expect(seen.consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a signed-in reload restores the session from the server's hint cookie; after logout the hint is gone", async () => {
    const { context, page, errors } = await openDevice(browser);
    const seen = watch(page);
    await signUp(page, demo.url, { name: "Grace Hopper", email: uniqueEmail("grace") });
    expect(await page.evaluate(() => document.cookie)).toContain("baton_session=1");
    await page.reload();
    await waitLive(page);
    expect(await page.getByRole("button", { name: "Sign in" }).count()).toBe(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(await page.evaluate(() => document.cookie)).not.toContain("baton_session");
    // Signed out, a reload is an anonymous visit again: no restore request, no 401.
    await page.reload();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(seen.failed).toEqual([]);
    expect(seen.consoleErrors).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

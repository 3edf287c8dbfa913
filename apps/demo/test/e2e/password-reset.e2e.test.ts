/**
 * Password reset in Chromium against the real demo server, mail read where a newcomer reads it:
 * the development inbox page. One device forgets its password and resets it through the mailed
 * link; the other device, signed in all along, is signed out and told why.
 */
import { createServer } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeInBrowser,
  launchBrowser,
  logIn,
  openDevice,
  PASSWORD,
  screenshot,
  signUp,
  startDemo,
  uniqueEmail,
  waitLive,
  type Demo,
} from "./support/harness.js";

const NEW_PASSWORD = "a brand new passphrase";

/** The mailed links point at PUBLIC_URL: the server must know its own port before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describeInBrowser("password reset in the demo", () => {
  let demo: Demo;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    [demo, browser] = await Promise.all([
      startDemo({ port, publicUrl: `http://127.0.0.1:${port}/` }),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it("forgot → development inbox → link → new password → signed in; the other device is signed out with the reason", async () => {
    const email = uniqueEmail("ada");
    const laptop = await openDevice(browser);
    await signUp(laptop.page, demo.url, { name: "Ada Lovelace", email });

    const phone = await openDevice(browser);
    const { page } = phone;
    await page.goto(`${demo.url}/login`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByTestId("reset-requested").waitFor();

    await page.getByRole("link", { name: "development inbox" }).click();
    const message = page
      .getByTestId("dev-inbox-message")
      .filter({ hasText: "reset your password" })
      .filter({ hasText: email });
    await message.waitFor();
    await screenshot(page, "dev-inbox");
    await message.getByRole("link", { name: /reset-password/ }).click();

    // The token left the address bar as soon as the page read it.
    const newPassword = page.getByLabel("New password", { exact: true });
    await newPassword.waitFor();
    await page.waitForFunction(() => window.location.hash === "");
    expect(new URL(page.url()).pathname).toBe("/reset-password");
    await newPassword.fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Set new password and sign in" }).click();
    await waitLive(page);
    expect(new URL(page.url()).pathname).toBe("/chat");

    // The laptop, signed in all along, is signed out and told why.
    const notice = laptop.page.getByTestId("signed-out-notice");
    await notice.waitFor();
    expect(await notice.textContent()).toContain("Your password was reset; sign in again");
    await screenshot(laptop.page, "signed-out-after-reset");

    // The audit trail: the request, the reset, one session ended.
    expect(demo.audit.filter((e) => e.type === "password.reset")).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ sessionsRevoked: 1 }) }),
    ]);

    // The old password is gone; the new one works on the laptop too.
    await logIn(laptop.page, demo.url, email, NEW_PASSWORD);
    expect(PASSWORD).not.toBe(NEW_PASSWORD);
    expect([...laptop.errors, ...phone.errors]).toEqual([]);
    await laptop.context.close();
    await phone.context.close();
  });

  it("pages send Referrer-Policy: no-referrer; in development the page announces the inbox and it answers", async () => {
    const reset = await fetch(`${demo.url}/reset-password`);
    expect(reset.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await reset.text()).toContain('name="demo-dev-inbox"');
    const inbox = await fetch(`${demo.url}/api/dev/inbox`);
    expect(inbox.status).toBe(200);
    expect(((await inbox.json()) as { messages: unknown[] }).messages.length).toBeGreaterThan(0);
  });
});

/**
 * Email verification and email change in the demo, in Chromium: the mail is read from the
 * development inbox of the demo running in this process (the link's path and fragment are opened
 * on the test's port, as the public URL would be in production).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  PASSWORD,
  describeInBrowser,
  launchBrowser,
  logIn,
  openDevice,
  signUp,
  startDemo,
  uniqueEmail,
  type Demo,
} from "./support/harness.js";

describeInBrowser("the demo's email verification and email change", () => {
  let demo: Demo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /** The link of the newest mail to `to`, on the demo's origin; `subject` must match. */
  async function linkIn(to: string, subject: RegExp): Promise<string> {
    const mail = demo.server.baton.mail!;
    await mail.deliverDue();
    const message = mail.inbox!.messages().find((candidate) => candidate.to === to);
    expect(message?.subject).toMatch(subject);
    const link = new URL(message!.link!);
    return `${demo.url}${link.pathname}${link.hash}`;
  }

  async function follow(page: Page, link: string, button: string, done: string): Promise<void> {
    await page.goto(link);
    await page.getByRole("button", { name: button }).click();
    await page.getByTestId(done).waitFor();
  }

  it("register → mail → link → verified; change → confirm the new address → undo from the old one → old address back, signed out", async () => {
    const { context, page, errors } = await openDevice(browser);
    const oldEmail = uniqueEmail("vera");
    await signUp(page, demo.url, { name: "Vera Verify", email: oldEmail });
    await page.getByTestId("verify-banner").waitFor();

    const verifyLink = await linkIn(oldEmail, /Confirm your email address/);
    expect(verifyLink).toContain("/verify-email#token=");
    const page2 = await fetch(`${demo.url}/verify-email`);
    expect(page2.headers.get("referrer-policy")).toBe("no-referrer");
    await follow(page, verifyLink, "Confirm my email address", "verify-done");
    await page.getByRole("link", { name: "Go to the chat" }).click();
    await page.getByTestId("connection").waitFor();
    expect(await page.getByTestId("verify-banner").count()).toBe(0);

    const newEmail = uniqueEmail("vera-new");
    await page.getByRole("link", { name: "Security" }).click();
    await page.getByLabel("New email").fill(newEmail);
    await page.locator('input[name="emailPassword"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Change email" }).click();
    await page.getByTestId("email-pending").waitFor();
    await follow(
      page,
      await linkIn(newEmail, /new email address/),
      "Confirm my email address",
      "verify-done",
    );
    await page.goto(`${demo.url}/security`);
    await page.getByTestId("current-email").getByText(newEmail).waitFor();

    // The old mailbox, read on another device: its undo link ends every session.
    const mailbox = await openDevice(browser);
    await follow(
      mailbox.page,
      await linkIn(oldEmail, /email address was changed/),
      "Undo the change and sign out everywhere",
      "undo-done",
    );
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await logIn(page, demo.url, oldEmail);
    expect(errors).toEqual([]);
    expect(mailbox.errors).toEqual([]);
    await mailbox.context.close();
    await context.close();
  });
});

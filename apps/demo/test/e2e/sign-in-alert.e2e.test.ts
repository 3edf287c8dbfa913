/**
 * A sign-in from a second browser mails the owner a new-device alert; its "this wasn't me" link,
 * opened in the owner's browser, signs out every device (the other browser included) and offers
 * a password reset. Mail is read from the demo's development inbox (no SMTP server configured).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeInBrowser,
  IPHONE_UA,
  launchBrowser,
  logIn,
  openDevice,
  signUp,
  startDemo,
  uniqueEmail,
  type Demo,
} from "./support/harness.js";

describeInBrowser("the new-device alert and its not-me link", () => {
  let demo: Demo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  /**
   * The security mail sent to `email` so far, oldest first (the inbox lists newest first); the
   * sign-up's address verification left aside.
   */
  async function mailTo(email: string) {
    const mail = demo.server.baton.mail!;
    await mail.deliverDue();
    await mail.deliverDue();
    return mail
      .inbox!.messages()
      .filter(
        (message) => message.to === email && !message.subject.startsWith("Confirm your email"),
      )
      .reverse();
  }

  it("a second browser's sign-in mails an alert; its link signs every device out and offers the reset", async () => {
    const email = uniqueEmail("ada");
    const owner = await openDevice(browser);
    await signUp(owner.page, demo.url, { name: "Ada Lovelace", email });
    // The browser that registered is known: signing in again there sends nothing.
    await owner.page.getByRole("button", { name: "Sign out" }).click();
    await logIn(owner.page, demo.url, email);
    expect(await mailTo(email)).toEqual([]);

    const intruder = await openDevice(browser, { userAgent: IPHONE_UA, mobile: true });
    await logIn(intruder.page, demo.url, email);
    const [alert, ...more] = await mailTo(email);
    expect(more).toEqual([]);
    expect(alert!.subject).toBe("New sign-in to your Baton account");
    expect(alert!.text).toContain("Device: Safari 17.4 on iOS 17.4");

    // The owner's Security page lists the new device among the sessions.
    await owner.page.goto(`${demo.url}/security`);
    await owner.page.getByText("Safari 17.4 on iOS 17.4").first().waitFor();

    // The link points at the configured public URL; the page is the same on this test's port.
    const link = new URL(alert!.link!);
    expect(link.pathname).toBe("/not-me");
    expect(link.hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);
    const response = await owner.page.goto(`${demo.url}/not-me${link.hash}`);
    expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
    // Opening it spends nothing (mail scanners open links): the button does.
    await owner.page.getByRole("heading", { name: "This wasn't me" }).waitFor();
    expect(new URL(owner.page.url()).hash).toBe("");
    await owner.page.getByTestId("not-me-submit").click();
    await owner.page.getByTestId("not-me-done").waitFor();
    await owner.page.getByRole("heading", { name: "Everyone is signed out" }).waitFor();
    expect(await owner.page.getByTestId("not-me-reset").getAttribute("href")).toBe(
      `/forgot-password?email=${encodeURIComponent(email)}`,
    );

    // The other browser is signed out too: its next refresh finds the session ended.
    await intruder.page.reload();
    await intruder.page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(
      demo.audit.some(
        (event) => event.type === "sessions.revoked_all" && event.detail?.reason === "not-me",
      ),
    ).toBe(true);

    expect([...owner.errors, ...intruder.errors]).toEqual([]);
    await owner.context.close();
    await intruder.context.close();
  });
});

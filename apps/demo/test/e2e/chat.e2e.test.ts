/**
 * The demo as a newcomer meets it, in Debian's chromium against the real demo server: sign up,
 * chat in real time with a second user, reload, sign a device out from another one, and the
 * Admin page (hidden and refused for others). Saves a screenshot of every page on the way.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ADMIN,
  IPHONE_UA,
  PASSWORD,
  apiLogin,
  describeInBrowser,
  expectMessage,
  launchBrowser,
  logIn,
  openDevice,
  screenshot,
  sendMessage,
  signUp,
  socketId,
  startDemo,
  uniqueEmail,
  waitLive,
  type Demo,
} from "./support/harness.js";

type Device = Awaited<ReturnType<typeof openDevice>>;

describeInBrowser("the demo in a real browser", () => {
  let demo: Demo;
  let browser: Browser;
  const devices: Device[] = [];
  const ada = { name: "Ada Lovelace", email: uniqueEmail("ada") };
  const bob = { name: "Bob Kahn", email: uniqueEmail("bob") };
  let adaDesk: Device;
  let bobDesk: Device;

  const device = async (options?: Parameters<typeof openDevice>[1]) => {
    const opened = await openDevice(browser, options);
    devices.push(opened);
    return opened;
  };

  beforeAll(async () => {
    [demo, browser] = await Promise.all([
      // A short heartbeat, so that a lost network is noticed in seconds (socket.io: 45 s).
      startDemo({ socketPing: { intervalMs: 1_500, timeoutMs: 1_500 } }),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const { errors } of devices) expect(errors).toEqual([]);
    await browser?.close();
    await demo?.close();
  });

  it("sign up → chat → a second user sees the message in real time and the first user online", async () => {
    adaDesk = await device();
    await adaDesk.page.goto(`${demo.url}/login`);
    await adaDesk.page.getByRole("heading", { name: "Welcome back" }).waitFor();
    await screenshot(adaDesk.page, "01-login");
    await adaDesk.page.getByRole("link", { name: "Create an account" }).click();
    await adaDesk.page.getByRole("heading", { name: "Create your account" }).waitFor();
    await screenshot(adaDesk.page, "02-signup");

    await signUp(adaDesk.page, demo.url, ada);
    expect(new URL(adaDesk.page.url()).pathname).toBe("/chat");

    bobDesk = await device();
    await signUp(bobDesk.page, demo.url, bob);
    // Presence: Bob sees Ada online, and Ada sees Bob arrive without reloading.
    await bobDesk.page.getByTestId("online-users").getByText(ada.name).waitFor();
    await adaDesk.page.getByTestId("online-users").getByText(bob.name).waitFor();

    const sentAt = Date.now();
    await sendMessage(adaDesk.page, "Hello from Ada — can you see this?");
    await expectMessage(bobDesk.page, "Hello from Ada — can you see this?");
    const deliveryMs = Date.now() - sentAt;
    // Typing notices travel over the same socket.
    await bobDesk.page.getByRole("textbox", { name: /^Message / }).fill("Loud and clear");
    await adaDesk.page.getByText(`${bob.name} is typing…`).waitFor();
    await sendMessage(bobDesk.page, "Loud and clear. The socket is live.");
    await expectMessage(adaDesk.page, "Loud and clear. The socket is live.");
    await sendMessage(adaDesk.page, "Tokens expire every few minutes and nobody notices.");
    await expectMessage(bobDesk.page, "Tokens expire every few minutes and nobody notices.");

    // A direct message: only Ada gets it, with an unread badge until she opens it.
    await bobDesk.page.getByRole("link", { name: new RegExp(`^${ada.name}`) }).click();
    await bobDesk.page.getByRole("heading", { name: ada.name }).waitFor();
    await sendMessage(bobDesk.page, "Psst, a private one.");
    const dmLink = adaDesk.page.getByRole("link", { name: new RegExp(`^${bob.name}.*1 unread`) });
    await dmLink.waitFor();
    await screenshot(adaDesk.page, "03-chat");
    await dmLink.click();
    await expectMessage(adaDesk.page, "Psst, a private one.");
    await sendMessage(adaDesk.page, "Got it, thanks.");
    await expectMessage(bobDesk.page, "Got it, thanks.");
    await screenshot(adaDesk.page, "04-direct-message");
    await adaDesk.page.emulateMedia({ colorScheme: "dark" });
    await screenshot(adaDesk.page, "04-direct-message-dark");
    await adaDesk.page.emulateMedia({ colorScheme: "light" });
    console.log(
      `[demo e2e] message delivered to the second user in ${deliveryMs} ms (send → visible)`,
    );
  });

  it("a reload keeps the session and the history", async () => {
    const page = adaDesk.page;
    await page.getByRole("link", { name: "general" }).click();
    const before = await socketId(page);
    await page.reload();
    await waitLive(page);
    expect(new URL(page.url()).pathname).toBe("/chat");
    await expectMessage(page, "Hello from Ada — can you see this?");
    await expectMessage(page, "Loud and clear. The socket is live.");
    // A new page is a new socket, restored through the refresh cookie: no sign-in form involved.
    expect(await socketId(page)).not.toBe(before);
    expect(await page.getByRole("button", { name: "Sign in" }).count()).toBe(0);
    // Nothing to steal from script-readable storage: the access token lives in memory only and
    // the refresh token in an HttpOnly cookie.
    const readable = await page.evaluate(() =>
      JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]),
    );
    expect(readable).not.toMatch(/eyJ|refresh/i);
    // The direct conversation is kept too.
    await page.getByRole("link", { name: new RegExp(`^${bob.name}`) }).click();
    await expectMessage(page, "Psst, a private one.");
  });

  it("a network drop shows a quiet 'retrying' indicator, never a logout, and missed messages arrive after", async () => {
    const page = adaDesk.page;
    await page.getByRole("link", { name: "general" }).click();
    await bobDesk.page.getByRole("link", { name: "general" }).click();
    const pill = page.getByTestId("connection");
    await adaDesk.context.setOffline(true);
    await expect.poll(() => pill.textContent()).toBe("Offline · retrying");
    // Bob writes while Ada's network is gone; her socket notices the loss on its own.
    await sendMessage(bobDesk.page, "Did you get this while you were offline?");
    await page.waitForSelector('[data-testid="connection"][data-state="reconnecting"]', {
      timeout: 30_000,
    });
    await screenshot(page, "05-reconnecting");
    expect(await page.getByRole("button", { name: "Sign in" }).count()).toBe(0);

    await adaDesk.context.setOffline(false);
    await waitLive(page);
    // Caught up from the history API after the reconnect: nothing was lost.
    await expectMessage(page, "Did you get this while you were offline?");
    expect(await pill.textContent()).toBe("Live");
    expect(new URL(page.url()).pathname).toBe("/chat");
  });

  it("revoking a session from another device's Security page signs that device out and drops its socket within a second", async () => {
    const phone = await device({ userAgent: IPHONE_UA, mobile: true });
    await logIn(phone.page, demo.url, ada.email);
    await expectMessage(phone.page, "Hello from Ada — can you see this?");
    await screenshot(phone.page, "06-chat-mobile");
    // On a phone the conversations are a drawer: open it, see who is online, close it with Esc.
    await phone.page.getByRole("button", { name: "Conversations" }).click();
    await phone.page.getByTestId("online-users").getByText(bob.name).waitFor();
    await screenshot(phone.page, "06-chat-mobile-drawer");
    await phone.page.keyboard.press("Escape");
    await expect
      .poll(() =>
        phone.page.getByRole("button", { name: "Conversations" }).getAttribute("aria-expanded"),
      )
      .toBe("false");
    const phoneSocket = await socketId(phone.page);
    expect(phoneSocket).not.toBe("");

    const desk = adaDesk.page;
    await desk.getByRole("link", { name: "Security" }).click();
    const phoneRow = desk
      .getByTestId("sessions")
      .locator("li", { hasText: "Safari 17.4 on iOS 17.4" });
    await phoneRow.waitFor();
    await desk.getByTestId("sessions").locator("li", { hasText: "This device" }).waitFor();
    await screenshot(desk, "07-security");

    await phoneRow.getByRole("button", { name: /^Sign out Safari/ }).click();
    await desk.getByRole("dialog").getByRole("button", { name: "Sign out device" }).click();
    const revoked = await waitFor(() =>
      demo.audit.find((event) => event.type === "session.revoked"),
    );
    const dropped = await waitFor(() =>
      demo.sockets.find((event) => event.type === "disconnect" && event.socketId === phoneSocket),
    );
    // The phone shows the sign-in page with the reason.
    await phone.page.getByTestId("signed-out-notice").waitFor();
    const signedOutAt = Date.now();
    expect(await phone.page.getByTestId("signed-out-notice").textContent()).toMatch(
      /ended from another device/,
    );
    await screenshot(phone.page, "08-signed-out-mobile");

    const dropMs = dropped.at - revoked.at;
    console.log(
      `[demo e2e] revoked device: socket dropped ${dropMs} ms after the revocation (reason: ${dropped.reason}); sign-in page shown ≤ ${signedOutAt - revoked.at} ms after it`,
    );
    expect(dropMs).toBeGreaterThanOrEqual(0);
    expect(dropMs).toBeLessThan(1_000);
    expect(signedOutAt - revoked.at).toBeLessThan(3_000);
    // The desktop session is untouched, and its list no longer shows the phone.
    await phoneRow.waitFor({ state: "detached" });
    expect(await desk.getByTestId("connection").getAttribute("data-state")).toBe("connected");
  });

  it("changing the password signs the other devices out; this one stays", async () => {
    const laptop = await device();
    await logIn(laptop.page, demo.url, ada.email);
    const desk = adaDesk.page;
    await desk.reload();
    await waitLive(desk);
    await desk.getByTestId("sessions").locator("li").nth(1).waitFor();
    const deskSocket = await socketId(desk);

    const newPassword = "a brand new passphrase";
    // The password card (the email card asks for the current password too).
    const card = desk.locator("form", {
      has: desk.getByRole("button", { name: "Change password" }),
    });
    await card.getByLabel("Current password", { exact: true }).fill(PASSWORD);
    await card.getByLabel("New password", { exact: true }).fill(newPassword);
    await card.getByLabel("Repeat new password", { exact: true }).fill(newPassword);
    await desk.getByRole("button", { name: "Change password" }).click();
    await desk.getByText("Password changed. 1 other session was signed out.").waitFor();

    await laptop.page.getByTestId("signed-out-notice").waitFor();
    // This device got a new token pair and its socket was re-authenticated in place.
    await expect.poll(() => desk.getByTestId("sessions").locator("li").count()).toBe(1);
    expect(await socketId(desk)).toBe(deskSocket);
    expect(await desk.getByTestId("connection").getAttribute("data-state")).toBe("connected");
    await logIn(laptop.page, demo.url, ada.email, newPassword);
  });

  it("a non-admin gets no Admin page, and the admin API answers 403", async () => {
    const page = bobDesk.page;
    await expectNoAdminLink(page);
    await page.goto(`${demo.url}/admin`);
    await page.getByText("Admins only").waitFor();
    await page.getByRole("button", { name: "Ask the server anyway" }).click();
    await expect
      .poll(() => page.getByTestId("admin-api-answer").textContent())
      .toMatch(/403 FORBIDDEN/);
    await screenshot(page, "09-admin-forbidden");

    const token = await apiLogin(demo.url, bob.email);
    const response = await fetch(`${demo.url}/api/auth/admin/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
  });

  it("an admin lists users and changes roles; the user's open page follows at once", async () => {
    const admin = await device();
    await logIn(admin.page, demo.url, ADMIN.email, ADMIN.password);
    await admin.page.getByRole("link", { name: "Admin" }).click();
    const bobRow = admin.page.locator(`tr[data-user-email="${bob.email}"]`);
    await bobRow.waitFor();
    await admin.page.locator(`tr[data-user-email="${ada.email}"]`).waitFor();
    await screenshot(admin.page, "10-admin");

    // Bob, still on /admin, gets the page as soon as the admin grants the role: his socket is
    // ended with TOKEN_EXPIRED (his token carries old roles), the client refreshes into the new.
    const bobSocket = await socketId(bobDesk.page);
    await bobRow.getByRole("button", { name: /^Edit roles/ }).click();
    const dialog = admin.page.getByRole("dialog");
    await dialog.getByRole("checkbox", { name: "admin" }).check();
    await screenshot(admin.page, "11-admin-roles");
    const grantedAt = Date.now();
    await dialog.getByRole("button", { name: "Save roles" }).click();
    await bobRow.locator(".chip", { hasText: "admin" }).waitFor();
    await bobDesk.page.getByRole("heading", { name: "Users" }).waitFor();
    await bobDesk.page.getByRole("link", { name: "Admin" }).waitFor();
    const followedMs = Date.now() - grantedAt;
    await waitLive(bobDesk.page);
    expect(await socketId(bobDesk.page)).not.toBe(bobSocket);

    // And back: the page and the menu entry go away again.
    await bobRow.getByRole("button", { name: /^Edit roles/ }).click();
    await dialog.getByRole("checkbox", { name: "admin" }).uncheck();
    await dialog.getByRole("button", { name: "Save roles" }).click();
    await bobDesk.page.getByText("Admins only").waitFor();
    await expectNoAdminLink(bobDesk.page);
    console.log(
      `[demo e2e] role granted → the user's open page showed the Admin page after ${followedMs} ms`,
    );
  });
});

async function expectNoAdminLink(page: Device["page"]): Promise<void> {
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Security" })
    .waitFor();
  expect(
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Admin" })
      .count(),
  ).toBe(0);
}

/** Polls a condition of the test process (server-side events) until it holds. */
async function waitFor<T>(find: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  let found: T | undefined;
  await expect
    .poll(() => (found = find()) !== undefined, { timeout: timeoutMs, interval: 20 })
    .toBe(true);
  return found!;
}

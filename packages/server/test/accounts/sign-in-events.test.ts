import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmtpSink, type Received } from "../mail/smtp-sink.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import type { TestClient } from "../support/http-client.js";
import { mmdbFile } from "../support/mmdb-file.js";
import { verifyWebhook, WebhookReceiver } from "../support/webhook-receiver.js";

// Sign-in alerts, "this wasn't me", the refresh-reuse mail and webhooks, end to end over HTTP on
// one server (SQLite), with a real SMTP server and a real webhook receiver started here.

const PASSWORD = "correct horse battery staple";
const SECRET = randomBytes(32).toString("base64url");
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let server: TestServer;
let smtp: SmtpSink;
let hooks: WebhookReceiver;
let serial = 0;
// A GeoIP database that places this test's address (every request comes from 127.0.0.1).
const geoipDir = mkdtempSync(join(tmpdir(), "baton-geoip-"));
const GEOIP = join(geoipDir, "City.mmdb");

beforeAll(async () => {
  writeFileSync(
    GEOIP,
    mmdbFile([
      {
        ip: "127.0.0.1",
        record: {
          city: { names: { en: "Testville" } },
          subdivisions: [{ names: { en: "Loopback" } }],
          country: { iso_code: "TL", names: { en: "Testland" } },
        },
      },
    ]),
  );
  smtp = await SmtpSink.start();
  hooks = await WebhookReceiver.start();
  server = await startTestServer("fastify", {
    smtpUrl: smtp.url,
    publicUrl: "https://app.example.com/",
    webhookUrl: hooks.url,
    webhookSecret: SECRET,
    geoipDatabase: GEOIP,
  });
});
afterAll(async () => {
  await server.close();
  await smtp.stop();
  await hooks.stop();
  rmSync(geoipDir, { recursive: true, force: true });
});

/** Runs delivery passes until one finds nothing due: what was queued so far has been handled. */
async function flush(): Promise<void> {
  for (;;) {
    const mail = await server.baton.mail!.deliverDue();
    const hook = await server.baton.webhooks!.deliverDue();
    if (mail.sent + mail.retried + mail.failed + hook.sent + hook.retried + hook.failed === 0)
      return;
  }
}

/** The security mail `email` received (the sign-up's address verification left aside). */
function mailTo(email: string): Received[] {
  return smtp.received.filter(
    (message) =>
      message.envelopeTo.includes(email) &&
      !message.parsed.subject?.startsWith("Confirm your email address"),
  );
}

function notMeToken(message: Received): string {
  const match = /https:\/\/app\.example\.com\/not-me#token=([A-Za-z0-9_-]+)/.exec(
    message.parsed.text ?? "",
  );
  if (match === null) throw new Error("no not-me link in the mail");
  return match[1]!;
}

function hooksFor(userId: string) {
  return hooks.delivered().filter((hook) => hook.data.userId === userId);
}

/** A fresh account registered from a browser (cookie transport) that keeps its cookies. */
async function registered() {
  const email = `user${++serial}@example.com`;
  const browser = server.client();
  const answer = await browser.post("/api/auth/register", { email, password: PASSWORD });
  expect(answer.status).toBe(201);
  return { email, browser, userId: answer.body.user.id as string };
}

function login(client: TestClient, email: string, userAgent = FIREFOX, json: object = {}) {
  return client.post(
    "/api/auth/login",
    { email, password: PASSWORD, ...json },
    { headers: { "user-agent": userAgent } },
  );
}

describe("new-device sign-in alerts", () => {
  it("the registering browser is known; another browser gets an alert with device, address, time and a not-me link", async () => {
    const { email, browser, userId } = await registered();
    expect((await login(browser, email)).status).toBe(200);
    await flush();
    expect(mailTo(email)).toEqual([]);

    expect((await login(server.client(), email, CHROME_MAC)).status).toBe(200);
    await flush();
    const [alert, ...more] = mailTo(email);
    expect(more).toEqual([]);
    expect(alert!.parsed.subject).toBe("New sign-in to your Baton account");
    expect(alert!.parsed.text).toContain("Device: Chrome 131 on macOS");
    expect(alert!.parsed.text).toContain("IP address: 127.0.0.1");
    expect(alert!.parsed.text).toContain("Approximate location: Testville, Loopback, Testland");
    const minute = new Date(server.clock.now()).toISOString().slice(0, 16).replace("T", " ");
    expect(alert!.parsed.text).toContain(`Time: ${minute} UTC`);
    expect(alert!.parsed.html).toContain("https://app.example.com/not-me#token=");
    notMeToken(alert!);

    const events = hooksFor(userId).map((hook) => hook.type);
    expect(events).toEqual(["user.created", "session.new_device"]);
    expect(hooksFor(userId)[1]!.data.detail).toEqual({
      device: "Chrome 131 on macOS",
      location: "Testville, Loopback, Testland",
    });
  });

  it("a browser that signed in before stays known; a client without cookies is always new", async () => {
    const { email } = await registered();
    const laptop = server.client();
    await login(laptop, email);
    await login(laptop, email);
    await flush();
    expect(mailTo(email)).toHaveLength(1);

    // A native client (body transport) gets no device cookie: each sign-in is announced, so
    // choosing the transport cannot be a way around the alert.
    const native = server.client();
    expect((await login(native, email, "curl/8.5.0", { transport: "body" })).status).toBe(200);
    expect((await login(native, email, "curl/8.5.0", { transport: "body" })).status).toBe(200);
    await flush();
    expect(mailTo(email).map((m) => m.parsed.text?.includes("Device: curl 8.5"))).toEqual([
      false,
      true,
      true,
    ]);
  });

  it("a wrong password sends nothing", async () => {
    const { email } = await registered();
    const stranger = server.client();
    const answer = await stranger.post("/api/auth/login", { email, password: "wrong password!" });
    expect(answer.status).toBe(401);
    await flush();
    expect(mailTo(email)).toEqual([]);
  });
});

describe("this wasn't me", () => {
  it("ends every session of the account at once, answers the address, and works once", async () => {
    const { email, browser, userId } = await registered();
    const intruder = server.client();
    const signedIn = await login(intruder, email, CHROME_MAC);
    await flush();
    const token = notMeToken(mailTo(email)[0]!);

    // Opening the link's page does not spend it: only this POST does.
    const page = server.client();
    const reported = await page.post("/api/auth/not-me", { token });
    expect(reported.status).toBe(200);
    expect(reported.body).toEqual({ email, sessionsEnded: 2 });

    expect((await intruder.get("/api/auth/me", signedIn.body.accessToken)).status).toBe(401);
    expect((await intruder.post("/api/auth/refresh", {})).body.error.code).toBe("SESSION_REVOKED");
    expect((await browser.post("/api/auth/refresh", {})).body.error.code).toBe("SESSION_REVOKED");

    const again = await page.post("/api/auth/not-me", { token });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("LINK_INVALID");

    await flush();
    const revoked = hooksFor(userId).find((hook) => hook.type === "session.revoked");
    expect(revoked?.data.detail).toMatchObject({
      all: true,
      count: 2,
      reason: "not-me",
      by: "link:not-me",
    });
  });

  it("refuses a made-up token and a malformed body with clear 4xx codes", async () => {
    const client = server.client();
    const unknown = await client.post("/api/auth/not-me", { token: "x".repeat(43) });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, "LINK_INVALID"]);
    const malformed = await client.post("/api/auth/not-me", { token: 42 });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, "VALIDATION_FAILED"]);
  });

  it("two clicks at once: one ends the sessions, the other is LINK_INVALID", async () => {
    const { email } = await registered();
    await login(server.client(), email, CHROME_MAC);
    await flush();
    const token = notMeToken(mailTo(email)[0]!);
    const answers = await Promise.all(
      [server.client(), server.client()].map((c) => c.post("/api/auth/not-me", { token })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
  });
});

describe("refresh-token reuse", () => {
  it("mails the user once, with a not-me link, and sends refresh.reuse_detected", async () => {
    const { email, userId } = await registered();
    const app = server.client();
    const first = await login(app, email, FIREFOX, { transport: "body" });
    const t0 = first.body.refreshToken as string;
    // The app refreshes twice (as Firefox: a session keeps the User-Agent of its last use).
    const asFirefox = { headers: { "user-agent": FIREFOX } };
    const refreshed = await app.post(
      "/api/auth/refresh",
      { refreshToken: t0, transport: "body" },
      asFirefox,
    );
    const t1 = refreshed.body.refreshToken as string;
    await app.post("/api/auth/refresh", { refreshToken: t1, transport: "body" }, asFirefox);
    server.clock.advance(60_000);
    await flush();
    const before = mailTo(email).length;

    const stolen = await Promise.all(
      [1, 2].map(() => app.post("/api/auth/refresh", { refreshToken: t0, transport: "body" })),
    );
    // Both are the reuse (or the second finds the session it ended): neither gets tokens.
    expect(stolen.map((answer) => answer.status)).toEqual([401, 401]);
    expect(stolen.map((answer) => answer.body.error.code)).toContain("REFRESH_REUSED");
    await flush();
    const notices = mailTo(email).slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.parsed.subject).toBe("We ended a sign-in to your Baton account");
    expect(notices[0]!.parsed.text).toContain("Firefox 133 on Linux");
    expect((await app.post("/api/auth/not-me", { token: notMeToken(notices[0]!) })).status).toBe(
      200,
    );
    expect(hooksFor(userId).map((hook) => hook.type)).toContain("refresh.reuse_detected");
  });
});

describe("webhooks", () => {
  it("are signed (t=…,v1=HMAC-SHA256) and carry the event id, the same at every retry", async () => {
    const { userId } = await registered();
    await flush();
    const hook = hooks.received.find((h) => JSON.parse(h.body).data.userId === userId)!;
    const now = Math.floor(server.clock.now() / 1000);
    expect(hook.headers["content-type"]).toBe("application/json");
    expect(verifyWebhook(SECRET, hook.body, hook.headers["baton-signature"] as string, now)).toBe(
      true,
    );
    expect(
      verifyWebhook("another secret", hook.body, hook.headers["baton-signature"] as string, now),
    ).toBe(false);
    expect(
      verifyWebhook(
        SECRET,
        hook.body.replace(userId, "someone"),
        hook.headers["baton-signature"] as string,
        now,
      ),
    ).toBe(false);
    expect(
      verifyWebhook(SECRET, hook.body, hook.headers["baton-signature"] as string, now + 301),
    ).toBe(false);
    const body = JSON.parse(hook.body);
    expect(hook.headers["baton-event-id"]).toBe(body.id);
    expect(body).toMatchObject({
      type: "user.created",
      createdAt: new Date(server.clock.now()).toISOString(),
    });
  });

  it("a receiver answering 500 gets the event again after the back-off, and it is delivered exactly once", async () => {
    hooks.answers.push(500);
    const { userId } = await registered();
    await flush();
    const attempts = () => hooks.received.filter((h) => JSON.parse(h.body).data.userId === userId);
    expect(attempts().map((h) => h.status)).toEqual([500]);

    server.clock.advance(31_000);
    await flush();
    server.clock.advance(3_600_000);
    await flush();
    expect(attempts().map((h) => h.status)).toEqual([500, 200]);
    const [failed, delivered] = attempts();
    expect(failed!.body).toBe(delivered!.body);
    expect(failed!.headers["baton-event-id"]).toBe(delivered!.headers["baton-event-id"]);
  });

  it("survives a receiver outage: every event arrives once it is back", async () => {
    await hooks.stop();
    const users = [await registered(), await registered()];
    await flush();
    await hooks.listen();
    server.clock.advance(3_600_000);
    await flush();
    for (const { userId } of users)
      expect(hooksFor(userId).map((hook) => hook.type)).toEqual(["user.created"]);
  });

  it("gives up on a 4xx refusal (other than 408/429), and counts it", async () => {
    hooks.answers.push(410);
    const { userId } = await registered();
    await flush();
    server.clock.advance(3_600_000);
    await flush();
    expect(hooks.received.filter((h) => JSON.parse(h.body).data.userId === userId)).toHaveLength(1);
    const metrics = await server.client().get("/metrics");
    expect(metrics.body).toMatch(/baton_webhook_deliveries_total\{result="failed"\} 1/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { SmtpSink, type Received } from "../mail/smtp-sink.js";
import { ADAPTERS } from "../support/each-adapter.js";
import { PASSWORD, startTestServer, type TestServer } from "../support/test-server.js";

// Email verification and email change over HTTP, on SQLite, with the mail going over SMTP to a
// real SMTP server started here and parsed as it arrives. One server per mode for the whole file.

const AUTH = "/api/auth";
let sink: SmtpSink;
let server: TestServer;

beforeAll(async () => {
  sink = await SmtpSink.start();
  server = await startTestServer("fastify", {
    smtpUrl: sink.url,
    publicUrl: "https://app.example.com/",
  });
});
afterAll(async () => {
  await server?.close();
  await sink?.stop();
});

/** The newest message to `address`, once the worker has delivered it (no sleeping: each round sends). */
async function mailTo(address: string, after = 0, on = server): Promise<Received> {
  for (let round = 0; round < 20; round++) {
    const found = sink.received
      .slice(after)
      .filter((message) => message.envelopeTo.includes(address));
    if (found.length > 0) return found[found.length - 1]!;
    await on.baton.mail!.deliverDue();
  }
  throw new Error(`no mail to ${address}`);
}
const linkToken = (message: Received, page: string) => {
  const match = new RegExp(`https://app\\.example\\.com/${page}#token=([A-Za-z0-9_-]+)`).exec(
    message.parsed.text ?? "",
  );
  if (match === null) throw new Error(`no ${page} link in: ${message.parsed.text}`);
  return match[1]!;
};
const codeOf = (message: Received) =>
  /code: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(message.parsed.text ?? "")![1]!;

async function register(email: string, on = server) {
  const client = on.client();
  const mark = sink.received.length;
  const response = await client.post(`${AUTH}/register`, { email, password: PASSWORD });
  return { client, response, mark, accessToken: response.body.accessToken as string };
}
const claims = (token: string) => decodeJwt(token);

describe("email verification", () => {
  it("mails a link and a code with the new account; tokens and /me say unverified until it comes back", async () => {
    const { client, accessToken, mark } = await register("vera@example.com");
    const mail = await mailTo("vera@example.com", mark);
    expect(mail.parsed.subject).toContain("Confirm your email address");
    const token = linkToken(mail, "verify-email");
    expect(codeOf(mail)).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(claims(accessToken).email_verified).toBe(false);
    expect((await client.get(`${AUTH}/me`, accessToken)).body.user.emailVerified).toBe(false);
    expect((await client.get("/api/verified", accessToken)).body.error.code).toBe(
      "EMAIL_NOT_VERIFIED",
    );

    // Nothing answers a GET with the token: opening a link (a mail scanner) spends nothing.
    expect((await client.get(`${AUTH}/email/verify?token=${token}`)).status).toBe(404);
    const verified = await client.post(`${AUTH}/email/verify`, { token });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email: "vera@example.com", emailVerified: true });
    expect((await client.post(`${AUTH}/email/verify`, { token })).body.error.code).toBe(
      "LINK_INVALID",
    );

    // The access token from before still says false; the next refresh says true.
    expect((await client.get("/api/verified", accessToken)).status).toBe(403);
    const refreshed = await client.post(`${AUTH}/refresh`);
    expect(claims(refreshed.body.accessToken as string).email_verified).toBe(true);
    const guarded = await client.get("/api/verified", refreshed.body.accessToken);
    expect([guarded.status, guarded.body.auth.emailVerified]).toEqual([200, true]);
  });

  it("takes the code from a signed-in user, or with the address from anyone", async () => {
    const signedIn = await register("cody@example.com");
    const code = codeOf(await mailTo("cody@example.com", signedIn.mark));
    const withSession = await signedIn.client.post(
      `${AUTH}/email/verify`,
      { code: code.toLowerCase() },
      { token: signedIn.accessToken },
    );
    expect(withSession.body.user.emailVerified).toBe(true);

    const other = await register("otto@example.com");
    const otherCode = codeOf(await mailTo("otto@example.com", other.mark));
    const anonymous = server.client();
    expect((await anonymous.post(`${AUTH}/email/verify`, { code: otherCode })).status).toBe(400);
    const byEmail = await anonymous.post(`${AUTH}/email/verify`, {
      code: otherCode,
      email: "OTTO@example.com",
    });
    expect(byEmail.body.user).toMatchObject({ email: "otto@example.com", emailVerified: true });
  });

  it("resends with a one-minute cool-down, and the newer mail replaces the older", async () => {
    const { client, accessToken, mark } = await register("rhea@example.com");
    const first = linkToken(await mailTo("rhea@example.com", mark), "verify-email");
    const early = await client.post(`${AUTH}/email/verify/resend`, {}, { token: accessToken });
    expect([early.status, early.body.error.code]).toEqual([429, "RATE_LIMITED"]);
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThan(0);
    server.clock.advance(61_000);
    const again = sink.received.length;
    expect(
      (await client.post(`${AUTH}/email/verify/resend`, {}, { token: accessToken })).status,
    ).toBe(202);
    const second = linkToken(await mailTo("rhea@example.com", again), "verify-email");
    expect(second).not.toBe(first);
    expect((await client.post(`${AUTH}/email/verify`, { token: first })).body.error.code).toBe(
      "LINK_INVALID",
    );
    expect((await client.post(`${AUTH}/email/verify`, { token: second })).status).toBe(200);
  });

  it("resends by address without a session, answering the same for unknown addresses", async () => {
    const { mark } = await register("nora@example.com");
    await mailTo("nora@example.com", mark);
    server.clock.advance(61_000);
    const anonymous = server.client();
    const unknown = await anonymous.post(`${AUTH}/email/verify/resend`, {
      email: "nobody@example.com",
    });
    const after = sink.received.length;
    const known = await anonymous.post(`${AUTH}/email/verify/resend`, {
      email: "nora@example.com",
    });
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(known.body);
    expect((await mailTo("nora@example.com", after)).parsed.subject).toContain("Confirm");
    expect(sink.received.some((message) => message.envelopeTo.includes("nobody@example.com"))).toBe(
      false,
    );
  });
});

describe("email change", () => {
  it("applies only once the new address confirms it; the old one gets an undo link that restores it and signs out everywhere", async () => {
    const { client, accessToken, mark } = await register("old@example.com");
    await mailTo("old@example.com", mark);
    const change = (body: object) => client.post(`${AUTH}/email`, body, { token: accessToken });
    expect((await change({ newEmail: "new@example.com", password: "wrong password" })).status).toBe(
      401,
    );
    await register("taken@example.com");
    expect(
      (await change({ newEmail: "taken@example.com", password: PASSWORD })).body.error.code,
    ).toBe("EMAIL_TAKEN");
    const before = sink.received.length;
    expect((await change({ newEmail: "New@Example.com", password: PASSWORD })).status).toBe(202);
    const confirmation = await mailTo("new@example.com", before);
    expect(confirmation.parsed.subject).toContain("new email address");
    expect((await client.get(`${AUTH}/me`, accessToken)).body.user.email).toBe("old@example.com");

    const noticeMark = sink.received.length;
    const applied = await client.post(`${AUTH}/email/verify`, {
      token: linkToken(confirmation, "verify-email"),
    });
    expect(applied.body.user).toMatchObject({ email: "new@example.com", emailVerified: true });
    expect((await client.get(`${AUTH}/me`, accessToken)).body.user.email).toBe("new@example.com");
    const notice = await mailTo("old@example.com", noticeMark);
    expect(notice.parsed.text).toContain("new@example.com");
    const undo = linkToken(notice, "undo-email-change");

    // An intruder who changed the address then changes the password: the undo link still works.
    const password = await client.post(
      `${AUTH}/password`,
      { currentPassword: PASSWORD, newPassword: "another long password" },
      { token: accessToken },
    );
    expect(password.status).toBe(200);
    const other = server.client();
    const signedIn = await other.post(`${AUTH}/login`, {
      email: "new@example.com",
      password: "another long password",
    });
    expect(signedIn.status).toBe(200);

    expect((await server.client().post(`${AUTH}/email/undo`, { token: undo })).status).toBe(204);
    expect(
      (await server.client().post(`${AUTH}/email/undo`, { token: undo })).body.error.code,
    ).toBe("LINK_INVALID");
    for (const token of [password.body.accessToken, signedIn.body.accessToken])
      expect((await client.get(`${AUTH}/me`, token)).body.error.code).toBe("SESSION_REVOKED");
    const back = await server.client().post(`${AUTH}/login`, {
      email: "old@example.com",
      password: "another long password",
    });
    expect(back.body.user).toMatchObject({ email: "old@example.com", emailVerified: true });
    expect(server.events.map((event) => event.type)).toContain("email.change_undone");
  });

  it("of two users confirming a change to one address at once, one gets it and the other 409", async () => {
    const racers = await Promise.all(
      ["ann.race@example.com", "bob.race@example.com"].map((email) => register(email)),
    );
    const tokens: string[] = [];
    for (const racer of racers) {
      const mark = sink.received.length;
      const asked = await racer.client.post(
        `${AUTH}/email`,
        { newEmail: "prize@example.com", password: PASSWORD },
        { token: racer.accessToken },
      );
      expect(asked.status).toBe(202);
      tokens.push(linkToken(await mailTo("prize@example.com", mark), "verify-email"));
    }
    const answers = await Promise.all(
      tokens.map((token) => server.client().post(`${AUTH}/email/verify`, { token })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const emails = await Promise.all(
      racers.map(
        async (racer) => (await racer.client.get(`${AUTH}/me`, racer.accessToken)).body.user.email,
      ),
    );
    expect(emails.filter((email) => email === "prize@example.com")).toHaveLength(1);
  });
});

describe("EMAIL_VERIFICATION=required", () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer("express", {
      smtpUrl: sink.url,
      publicUrl: "https://app.example.com/",
      emailVerification: "required",
    });
  });
  afterAll(() => strict?.close());

  it("creates the account but signs in only once the address is verified", async () => {
    const { response, mark } = await register("strict@example.com", strict);
    expect([response.status, response.body.error.code]).toEqual([403, "EMAIL_NOT_VERIFIED"]);
    const code = codeOf(await mailTo("strict@example.com", mark, strict));
    const login = () =>
      strict.client().post(`${AUTH}/login`, { email: "strict@example.com", password: PASSWORD });
    expect((await login()).body.error.code).toBe("EMAIL_NOT_VERIFIED");
    // A wrong password says nothing about verification.
    const wrong = await strict
      .client()
      .post(`${AUTH}/login`, { email: "strict@example.com", password: "not the password" });
    expect(wrong.body.error.code).toBe("INVALID_CREDENTIALS");
    const verified = await strict
      .client()
      .post(`${AUTH}/email/verify`, { code, email: "strict@example.com" });
    expect(verified.status).toBe(200);
    const signedIn = await login();
    expect(signedIn.status).toBe(200);
    expect(claims(signedIn.body.accessToken as string).email_verified).toBe(true);
  });
});

describe.each(ADAPTERS)("requireVerifiedEmail() through %s", (adapter) => {
  let own: TestServer;
  beforeAll(async () => {
    own = adapter === "fastify" ? server : await startTestServer(adapter);
  });
  afterAll(async () => {
    if (own !== server) await own?.close();
  });

  it("refuses a token without the claim with 403 EMAIL_NOT_VERIFIED, and no token with 401", async () => {
    const client = own.client();
    const registered = await client.post(`${AUTH}/register`, {
      email: `guard-${adapter}@example.com`,
      password: PASSWORD,
    });
    const refused = await client.get("/api/verified", registered.body.accessToken);
    expect([refused.status, refused.body.error.code]).toEqual([403, "EMAIL_NOT_VERIFIED"]);
    expect((await client.get("/api/verified")).status).toBe(401);
    expect((await client.get("/api/private", registered.body.accessToken)).status).toBe(200);
  });
});

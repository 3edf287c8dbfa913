import { describe, expect, it } from "vitest";
import { appLink } from "../../src/mail/app-link.js";
import { DevelopmentInbox } from "../../src/mail/development-inbox.js";
import { escapeHtml, html } from "../../src/mail/html.js";
import { decodeMail } from "../../src/mail/mail-message.js";
import { resolveMailOptions, type MailOptions } from "../../src/config/mail-options.js";
import type { MailTemplate } from "../../src/mail/mail-template.js";
import { Mailer } from "../../src/mail/mailer.js";
import { maskedUrl } from "../../src/config/masked-url.js";
import { retryDelay } from "../../src/mail/retry-policy.js";
import { SmtpTransport } from "../../src/smtp/smtp-transport.js";
import { ManualClock } from "../support/manual-clock.js";

const valid: MailOptions = {
  smtpUrl: "smtps://baton:hunter2@smtp.example.com:465",
  from: "Example <no-reply@example.com>",
  appName: "Example",
  publicUrl: "https://app.example.com/accounts",
};

function problems(options: MailOptions, production = false): string {
  try {
    resolveMailOptions(options, { production });
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error("accepted");
}

describe("mail options", () => {
  it("resolves valid options, frozen, the public URL ending with / so links stay below it", () => {
    const resolved = resolveMailOptions(valid, { production: true });
    expect(resolved.publicUrl.href).toBe("https://app.example.com/accounts/");
    expect(resolved.defaultLocale).toBe("en");
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it("reports every problem at once, named by option, never showing the SMTP password", () => {
    const message = problems({
      smtpUrl: "http://baton:hunter2@smtp.example.com",
      from: "not an address",
      appName: " ",
      publicUrl: "/relative",
      defaultLocale: "en_US!",
    });
    expect(message.split("\n- ").slice(1)).toEqual([
      "smtpUrl http://baton:***@smtp.example.com/ must start with smtp:// or smtps://",
      'from "not an address" is not an email address',
      "appName must not be empty",
      'publicUrl "/relative" is not an absolute URL: mail links are built from it',
      'defaultLocale "en_US!" is not a language tag',
    ]);
    expect(message).not.toContain("hunter2");
    // Text that is not a URL may be a password typed in the wrong place: not echoed at all.
    expect(problems({ ...valid, smtpUrl: "hunter2" })).not.toContain("hunter2");
  });

  it("production needs an SMTP URL and an https public URL without query or fragment", () => {
    const message = problems(
      { ...valid, smtpUrl: undefined, publicUrl: "http://app.example.com/?x=1" },
      true,
    );
    expect(message).toContain("smtpUrl is required in production");
    expect(message).toContain("must use https in production");
    expect(message).toContain("must not have a query or fragment");
    // In development the inbox stands in for SMTP, and http://localhost is fine.
    expect(
      resolveMailOptions(
        { ...valid, smtpUrl: undefined, publicUrl: "http://localhost:5173" },
        { production: false },
      ).smtpUrl,
    ).toBeNull();
  });

  it("masks URL passwords for logs", () => {
    expect(maskedUrl("smtp://user:p%40ss@host:587")).toBe("smtp://user:***@host:587");
    expect(maskedUrl("smtp://host:25")).toBe("smtp://host:25");
    expect(new SmtpTransport({ url: valid.smtpUrl!, from: valid.from }).description).toBe(
      "smtps://baton:***@smtp.example.com:465",
    );
  });
});

describe("links", () => {
  const base = new URL("https://app.example.com/accounts/");

  it("are built below the public URL, a token in the fragment", () => {
    expect(appLink(base, "password/reset", { token: "a b&c" })).toBe(
      "https://app.example.com/accounts/password/reset#token=a+b%26c",
    );
    expect(appLink(base, "verify")).toBe("https://app.example.com/accounts/verify");
  });

  it("refuse any path that would leave the public URL", () => {
    for (const path of [
      "https://evil.example/reset",
      "//evil.example/reset",
      "/reset",
      "\\\\evil.example/reset",
      "../reset",
      "javascript:alert(1)",
    ])
      expect(() => appLink(base, path), path).toThrow(TypeError);
  });
});

describe("Mailer", () => {
  const notice: MailTemplate<{ name: string }> = (data, context) => ({
    subject: `Hello\r\nBcc: eve@example.com`,
    text: `${context.locale}: ${data.name} ${context.link("security")}`,
    html: html`<p>${data.name}</p>`,
  });
  const mailer = new Mailer(
    resolveMailOptions(valid, { production: false }),
    new ManualClock(1_000),
    () => "id-1",
  );

  it("renders a template into an outbox message: layout, app name, locale, links", () => {
    const message = mailer.compose(notice, { to: "ada@example.com", data: { name: "<Ada>" } });
    expect(message).toMatchObject({ id: "id-1", kind: "mail", createdAt: 1_000 });
    const mail = decodeMail(message.payload);
    expect(mail.subject).toBe("Hello Bcc: eve@example.com"); // one header line, no injection
    expect(mail.text).toBe("en: <Ada> https://app.example.com/accounts/security\n\n-- \nExample\n");
    expect(mail.html).toContain("<p>&lt;Ada&gt;</p>");
    expect(mail.html).toContain('<p style="font-weight: bold">Example</p>');
    expect(mail.link).toBeNull();
    expect(
      decodeMail(
        mailer.compose(notice, { to: "a@example.com", locale: "de", data: { name: "" } }).payload,
      ).locale,
    ).toBe("de");
  });

  it("takes one recipient, no header tricks", () => {
    expect(() =>
      mailer.compose(notice, { to: "ada@example.com\r\nBcc: eve@example.com", data: { name: "" } }),
    ).toThrow(TypeError);
  });

  it("escapes everything interpolated into HTML unless it is already HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
    );
    expect(html`<p>${html`<b>${"<i>"}</b>`}${["<", ">"]}</p>`.value).toBe(
      "<p><b>&lt;i&gt;</b>&lt;&gt;</p>",
    );
  });
});

describe("retry delays", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

  it("double per attempt, capped, with between half and all of each wait random", () => {
    expect([1, 2, 3, 8, 9, 20].map((attempt) => retryDelay(attempt, policy, () => 1))).toEqual([
      30_000, 60_000, 120_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(retryDelay(1, policy, () => 0)).toBe(15_000);
    expect(retryDelay(20, policy, () => 0)).toBe(1_800_000);
  });
});

describe("development inbox", () => {
  const mail = (id: string) => ({
    id,
    to: "ada@example.com",
    subject: `Reset ${id}`,
    text: "",
    html: "",
    locale: "en",
    link: `http://localhost:5173/password/reset#token=${id}`,
  });

  it("keeps the newest messages, newest first, and prints one line with the link per message", async () => {
    const lines: string[] = [];
    const inbox = new DevelopmentInbox({
      capacity: 2,
      print: (line) => lines.push(line),
      now: () => 5,
    });
    for (const id of ["a", "b", "c"]) await inbox.send(mail(id));
    expect(inbox.messages().map((message) => message.id)).toEqual(["c", "b"]);
    expect(inbox.messages()[0]?.receivedAt).toBe(5);
    expect(lines).toEqual([
      "[development inbox] to ada@example.com: Reset a http://localhost:5173/password/reset#token=a",
      "[development inbox] to ada@example.com: Reset b http://localhost:5173/password/reset#token=b",
      "[development inbox] to ada@example.com: Reset c http://localhost:5173/password/reset#token=c",
    ]);
    expect(() => new DevelopmentInbox({ capacity: 0 })).toThrow(TypeError);
  });
});

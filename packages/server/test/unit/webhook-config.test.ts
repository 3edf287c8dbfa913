import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig, type BatonOptions } from "@baton/server";

const strong = () => randomBytes(32).toString("base64url");
const production = (options: BatonOptions): BatonOptions => ({
  production: true,
  secret: strong(),
  ...options,
});

function problems(options: BatonOptions): string {
  try {
    resolveConfig(options, { webhookUrl: "WEBHOOK_URL", webhookSecret: "WEBHOOK_SECRET" });
    return "";
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message;
  }
}

describe("WEBHOOK_URL and WEBHOOK_SECRET", () => {
  it("are off by default, and on together", () => {
    expect(resolveConfig({}).webhook).toBeNull();
    const secret = strong();
    expect(
      resolveConfig({ webhookUrl: "http://127.0.0.1:9/hook", webhookSecret: secret }).webhook,
    ).toEqual({ url: "http://127.0.0.1:9/hook", secret });
  });

  it("refuse one without the other, a non-URL, http in production, and a weak secret", () => {
    expect(problems({ webhookUrl: "https://hooks.example.com/baton" })).toMatch(
      /WEBHOOK_URL and WEBHOOK_SECRET go together/,
    );
    expect(problems({ webhookUrl: "ftp://x", webhookSecret: strong() })).toMatch(/WEBHOOK_URL/);
    expect(
      problems(
        production({ webhookUrl: "http://hooks.example.com/baton", webhookSecret: strong() }),
      ),
    ).toMatch(/WEBHOOK_URL must use https in production/);
    const weak = problems({
      webhookUrl: "https://hooks.example.com/baton",
      webhookSecret: "your-webhook-secret-change-me",
    });
    expect(weak).toMatch(/WEBHOOK_SECRET is too weak/);
    expect(weak).not.toContain("your-webhook-secret-change-me");
    expect(
      problems(
        production({ webhookUrl: "https://hooks.example.com/baton", webhookSecret: strong() }),
      ),
    ).toBe("");
  });
});

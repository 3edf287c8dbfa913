import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { judgeSecret } from "../../src/config/secret-strength.js";
import { runCli, startCli } from "./run-cli.js";

// Issue 12 item 6: weak and placeholder secrets, NODE_ENV spellings, and a one-line way to make a
// good secret, through the real `baton` process.

describe.concurrent("baton secret", () => {
  it("prints a new 256-bit secret and nothing else, so BATON_SECRET=$(baton secret) works", async () => {
    const [first, second] = await Promise.all([runCli(["secret"]), runCli(["secret"])]);
    for (const result of [first, second]) {
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
      expect(judgeSecret(result.stdout.trim()).weaknesses).toEqual([]);
    }
    expect(first.stdout).not.toBe(second.stdout);
  });

  it("needs no configuration: an invalid environment does not stop it", async () => {
    const result = await runCli(["secret"], {
      env: { NODE_ENV: "production", DATABASE_URL: "mysql://nope", BATON_SECRET: "a" },
    });
    expect(result.code).toBe(0);
  });

  it("--help says how to use it", async () => {
    const result = await runCli(["secret", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("BATON_SECRET=$(baton secret)");
  });
});

describe.concurrent("baton serve refuses weak secrets: exit 78, the fix, never the secret", () => {
  const strong = randomBytes(32).toString("base64url");
  it.each<[string, string, NodeJS.ProcessEnv]>([
    ["BATON_SECRET", "a".repeat(40), {}],
    ["BATON_SECRET", "changeme".repeat(4), {}],
    ["JWT_REFRESH_SECRET", "0123456789abcdef".repeat(2), {}],
    ["BATON_SECRET", "your_jwt_secret_key_change_in_production", {}],
    [
      "JWT_SECRET",
      "your_jwt_secret_key_change_in_production",
      { JWT_ALG: "HS256", BATON_SECRET: strong },
    ],
  ])("%s=%s", async (name, secret, extra) => {
    const result = await runCli(["serve"], {
      env: {
        NODE_ENV: "production",
        DATABASE_URL: "sqlite::memory:",
        PORT: "0",
        ...extra,
        [name]: secret,
      },
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(new RegExp(`^Invalid Baton configuration:\\n  - ${name} `));
    expect(result.stderr).toContain("baton secret");
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).toBe("");
  });

  it.each(["Production", "prod", "staging"])(
    "NODE_ENV=%s is production: no BATON_SECRET is refused",
    async (NODE_ENV) => {
      const result = await runCli(["serve"], {
        env: { NODE_ENV, DATABASE_URL: "sqlite::memory:", PORT: "0" },
      });
      expect(result.code).toBe(78);
      expect(result.stderr).toContain(
        `warning: NODE_ENV=${JSON.stringify(NODE_ENV)} is not "development" or "test"`,
      );
      expect(result.stderr).toMatch(/BATON_SECRET is required in production: .*baton secret/);
    },
  );

  it("other commands too (NODE_ENV=Production, no secret)", async () => {
    const result = await runCli(["users", "list"], {
      env: { NODE_ENV: "Production", DATABASE_URL: "sqlite::memory:" },
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/BATON_SECRET is required in production/);
  });
});

describe("baton serve in production warns loudly about what it does not refuse", () => {
  it("an http:// CORS origin and a cookie name without __Secure-", async () => {
    const secret = (await runCli(["secret"])).stdout.trim();
    const server = await startCli(["serve"], {
      env: {
        NODE_ENV: "production",
        DATABASE_URL: "sqlite::memory:",
        PORT: "0",
        HOST: "127.0.0.1",
        BATON_SECRET: secret,
        CORS_ORIGINS: "https://app.example.com,http://admin.example.com",
        COOKIE_NAME: "refresh",
      },
      ready: /Baton listening/,
    });
    await server.stop();
    const warnings = server
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.level === 40);
    expect(warnings.map((entry) => entry.msg)).toEqual([
      expect.stringMatching(/^PRODUCTION WARNING: CORS_ORIGINS: http:\/\/admin\.example\.com /),
      expect.stringMatching(/^PRODUCTION WARNING: COOKIE_NAME "refresh" has no __Secure- prefix/),
      expect.stringMatching(/^PRODUCTION WARNING: SMTP_URL is not set: Baton sends no mail/),
    ]);
    expect(server.output()).not.toContain(secret);
  });
});

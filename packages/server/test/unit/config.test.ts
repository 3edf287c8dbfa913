import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  createBaton,
  optionsFromEnv,
  parseDuration,
  resolveConfig,
} from "@baton/server";
import { parseTrustProxy, serverEnv } from "../../src/config/env.js";
import { productionWarnings } from "../../src/config/production-warnings.js";

/** A good secret, as `baton secret` makes them. */
const strong = () => randomBytes(32).toString("base64url");

describe("durations", () => {
  it.each([
    [900, 900_000],
    ["900", 900_000],
    ["15m", 900_000],
    ["2s", 2_000],
    ["7d", 604_800_000],
    ["250ms", 250],
    ["1.5h", 5_400_000],
  ])("%s → %i ms", (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(["", "15 minutes", "-1", "1w", "m", "NaN", -5, Number.NaN])("refuses %s", (input) =>
    expect(parseDuration(input)).toBeUndefined(),
  );
});

describe("configuration from the environment", () => {
  it("reads Baton's names and the seeds' aliases", () => {
    const [jwtSecret, refreshSecret] = [strong(), strong()];
    const { options, problems } = optionsFromEnv({
      JWT_EXPIRES_IN: "5m",
      JWT_REFRESH_EXPIRE: "14d",
      FRONTEND_URL: "http://localhost:5173, https://app.example.com",
      JWT_SECRET_KEY: jwtSecret,
      JWT_ALG: "HS256",
      COOKIE_SECURE: "false",
      LOGIN_MAX_FAILURES: "3",
      JWT_REFRESH_SECRET: refreshSecret,
    });
    expect(problems).toEqual([]);
    const config = resolveConfig(options);
    expect(config).toMatchObject({
      accessTokenTtlMs: 300_000,
      refreshTokenTtlMs: 14 * 86_400_000,
      corsOrigins: ["http://localhost:5173", "https://app.example.com"],
      jwtAlg: "HS256",
      cookieSecure: false,
      loginMaxFailures: 3,
      secret: refreshSecret,
    });
  });

  it("Baton's own name wins over an alias", () => {
    expect(
      optionsFromEnv({ ACCESS_TOKEN_TTL: "1m", JWT_EXPIRE: "9m" }).options.accessTokenTtl,
    ).toBe("1m");
  });

  it("stops on invalid values, naming the variable", () => {
    expect(
      optionsFromEnv({ LOGIN_MAX_FAILURES: "five", COOKIE_SECURE: "maybe" }).problems.sort(),
    ).toEqual([
      'COOKIE_SECURE: "maybe" must be true or false',
      'LOGIN_MAX_FAILURES: "five" is not a whole number',
    ]);
    const { options, names } = optionsFromEnv({ ACCESS_TOKEN_EXPIRY: "15x" });
    expect(() => resolveConfig(options, names)).toThrow(
      /ACCESS_TOKEN_EXPIRY: "15x" is not a duration/,
    );
  });

  it("REFRESH_RECOVERY_WINDOW: defaults to the refresh TTL, 0 turns it off, must outlast the grace window", () => {
    expect(resolveConfig({}).refreshRecoveryWindowMs).toBe(7 * 86_400_000);
    expect(resolveConfig({ refreshTokenTtl: "2d" }).refreshRecoveryWindowMs).toBe(2 * 86_400_000);
    const read = (env: Record<string, string>) => {
      const { options, names } = optionsFromEnv(env);
      return resolveConfig(options, names).refreshRecoveryWindowMs;
    };
    expect(read({ REFRESH_RECOVERY_WINDOW: "0" })).toBe(0);
    expect(read({ REFRESH_RECOVERY_WINDOW: "1h" })).toBe(3_600_000);
    expect(() => read({ REFRESH_RECOVERY_WINDOW: "5s" })).toThrow(
      /REFRESH_RECOVERY_WINDOW must be 0 \(off\) or longer than REFRESH_REUSE_INTERVAL/,
    );
    expect(() => read({ REFRESH_RECOVERY_WINDOW: "soon" })).toThrow(
      /REFRESH_RECOVERY_WINDOW: "soon" is not a duration/,
    );
    expect(() => read({ REFRESH_RECOVERY_WINDOW: "401d" })).toThrow(/REFRESH_RECOVERY_WINDOW/);
  });

  // Issue 13 item 4 turned this warning into a refusal (config-options.test.ts has the rest).
  it("refuses JWT_SECRET set but unused", () => {
    const { options, names } = optionsFromEnv({ JWT_SECRET: "x".repeat(40) });
    expect(() => resolveConfig(options, names)).toThrow(
      /JWT_SECRET is set but JWT_ALG is not HS256/,
    );
  });

  it("reads PORT, HOST and TRUST_PROXY", () => {
    expect(serverEnv({ PORT: "8080", HOST: "127.0.0.1", TRUST_PROXY: "1" }).value).toEqual({
      port: 8080,
      host: "127.0.0.1",
      trustProxy: 1,
    });
    expect(serverEnv({ PORT: "99999" }).problems[0]).toMatch(/PORT/);
    expect(parseTrustProxy("10.0.0.0/8, 127.0.0.1")).toEqual(["10.0.0.0/8", "127.0.0.1"]);
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy("true")).toBe(true);
  });
});

describe("startup refuses unsafe configuration", () => {
  const refuses = (options: Parameters<typeof resolveConfig>[0], message: RegExp) => {
    try {
      resolveConfig(options);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(message);
      return;
    }
    throw new Error("configuration was accepted");
  };

  it("in production without a root secret, or with a weak one", () => {
    refuses({ production: true }, /secret is required in production/);
    refuses({ production: true, secret: "short" }, /shorter than 32 bytes/);
  });
  it("in production with Secure cookies off", () =>
    refuses(
      { production: true, secret: strong(), cookieSecure: false },
      /cannot be off in production/,
    ));
  it("HS256 without a 32-byte secret", () =>
    refuses({ jwtAlg: "HS256", jwtSecret: "secret" }, /jwtSecret .*shorter than 32 bytes/));
  it("an unknown algorithm", () => refuses({ jwtAlg: "none" as "HS256" }, /not supported/));
  it("a wildcard CORS origin", () => refuses({ corsOrigins: ["*"] }, /no wildcard/));
  it("SameSite=None without Secure", () =>
    refuses({ cookieSameSite: "none" }, /requires cookieSecure/));
  it("a refresh TTL not longer than the access TTL", () =>
    refuses({ accessTokenTtl: "1h", refreshTokenTtl: "30m" }, /must be longer/));
  it("an access TTL outside 1 s .. 1 day", () =>
    refuses({ accessTokenTtl: "2d" }, /between 1s and 86400s/));
  it("an IPv6 rate-limit prefix outside /32 .. /128", () => {
    const { options, names } = optionsFromEnv({ RATE_LIMIT_IPV6_PREFIX: "16" });
    expect(() => resolveConfig(options, names)).toThrow(
      /RATE_LIMIT_IPV6_PREFIX: 16 must be a whole number from 32 to 128/,
    );
    refuses({ rateLimitIpv6Prefix: 129 }, /from 32 to 128/);
    expect(resolveConfig({}).rateLimitIpv6Prefix).toBe(64);
    expect(resolveConfig({ rateLimitIpv6Prefix: 48 }).rateLimitIpv6Prefix).toBe(48);
  });
  it("SESSION_RATE_LIMIT: 600 by default, 0 disables, a negative number is refused", () => {
    expect(resolveConfig({}).sessionRateLimit).toBe(600);
    const { options } = optionsFromEnv({ SESSION_RATE_LIMIT: "0" });
    expect(resolveConfig(options).sessionRateLimit).toBe(0);
    refuses({ sessionRateLimit: -1 }, /sessionRateLimit/);
  });

  it("production defaults are the safe ones", () => {
    const config = resolveConfig({ production: true, secret: strong() });
    expect(config).toMatchObject({
      cookieSecure: true,
      cookieName: "__Secure-refresh_token",
      cookieSameSite: "strict",
      jwtAlg: "EdDSA",
    });
    expect(Object.isFrozen(config)).toBe(true);
  });
});

// Issue 12 item 6: only the length was checked, so these four started with NODE_ENV=production.
const WEAK_SECRETS = [
  "a".repeat(40),
  "changeme".repeat(4),
  "0123456789abcdef".repeat(2),
  "your_jwt_secret_key_change_in_production",
];

/** Resolves configuration from environment variables as `baton serve` does; the problems. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  const { options, names, problems } = optionsFromEnv(env);
  if (problems.length > 0) return problems;
  try {
    resolveConfig(options, names);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("weak and placeholder secrets are refused", () => {
  it.each(WEAK_SECRETS)("BATON_SECRET=%s with NODE_ENV=production", (secret) => {
    const problems = problemsOf({ NODE_ENV: "production", BATON_SECRET: secret });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^BATON_SECRET is too weak: /);
    expect(problems[0]).toContain("baton secret");
    expect(problems[0]).not.toContain(secret);
  });

  it.each(WEAK_SECRETS)("JWT_SECRET=%s with JWT_ALG=HS256, in development too", (secret) => {
    for (const NODE_ENV of ["production", "development", undefined]) {
      const problems = problemsOf({
        NODE_ENV,
        JWT_ALG: "HS256",
        JWT_SECRET: secret,
        BATON_SECRET: strong(),
      });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^JWT_SECRET \(the HS256 signing key\) is too weak: /);
      expect(problems[0]).not.toContain(secret);
    }
  });

  it("names the alias the user wrote", () => {
    expect(
      problemsOf({ NODE_ENV: "production", JWT_REFRESH_SECRET: "changeme".repeat(4) })[0],
    ).toMatch(/^JWT_REFRESH_SECRET is too weak/);
    expect(
      problemsOf({
        JWT_ALG: "HS256",
        JWT_SECRET_KEY: "your_jwt_secret_key_change_in_production",
      })[0],
    ).toMatch(/^JWT_SECRET_KEY \(the HS256 signing key\) is too weak/);
  });

  it("a secret Baton is given is judged in development too", () => {
    expect(problemsOf({ BATON_SECRET: "a".repeat(40) })[0]).toMatch(/^BATON_SECRET is too weak/);
    // Unset stays fine in development: a strong one is generated into baton.secret.
    expect(problemsOf({})).toEqual([]);
  });

  it("refuses JWT_SECRET equal to BATON_SECRET, naming both and quoting neither", () => {
    const secret = strong();
    const problems = problemsOf({
      NODE_ENV: "production",
      JWT_ALG: "HS256",
      JWT_SECRET: secret,
      BATON_SECRET: secret,
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^JWT_SECRET must differ from BATON_SECRET/);
    expect(problems[0]).not.toContain(secret);
    expect(
      problemsOf({ JWT_ALG: "HS256", JWT_SECRET_KEY: secret, JWT_REFRESH_SECRET: secret })[0],
    ).toMatch(/^JWT_SECRET_KEY must differ from JWT_REFRESH_SECRET/);
  });

  it("accepts strong secrets", () => {
    expect(
      problemsOf({
        NODE_ENV: "production",
        JWT_ALG: "HS256",
        JWT_SECRET: randomBytes(32).toString("hex"),
        BATON_SECRET: randomBytes(32).toString("base64"),
      }),
    ).toEqual([]);
  });
});

describe("NODE_ENV: anything but unset, development and test is production", () => {
  it.each(["production", "Production", "PRODUCTION", "prod", "staging", "live", "Development"])(
    "NODE_ENV=%s applies the production rules",
    (NODE_ENV) => {
      const { options } = optionsFromEnv({ NODE_ENV });
      expect(options.production).toBe(true);
      expect(problemsOf({ NODE_ENV })).toEqual([
        expect.stringMatching(/^BATON_SECRET is required in production/),
      ]);
      expect(problemsOf({ NODE_ENV, BATON_SECRET: "changeme".repeat(4) })[0]).toMatch(
        /^BATON_SECRET is too weak/,
      );
    },
  );

  it("a spelling other than `production` is named in a warning", () => {
    expect(optionsFromEnv({ NODE_ENV: "prod" }).warnings).toEqual([
      expect.stringMatching(/^NODE_ENV="prod" is not "development" or "test": production rules/),
    ]);
    expect(optionsFromEnv({ NODE_ENV: "production" }).warnings).toEqual([]);
  });

  it.each([undefined, "", "development", "test"])("NODE_ENV=%j is development", (NODE_ENV) => {
    expect(optionsFromEnv({ NODE_ENV }).options.production).toBe(false);
    expect(optionsFromEnv({ NODE_ENV }).warnings).toEqual([]);
    expect(problemsOf({ NODE_ENV })).toEqual([]);
  });

  it("resolveConfig reads no environment: without `production` it is development", () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      expect(resolveConfig({}).production).toBe(false);
    } finally {
      process.env.NODE_ENV = saved;
    }
  });

  it("createBaton without a `production` option follows NODE_ENV by the same rule", async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = "staging";
    try {
      await expect(createBaton({ databaseUrl: "sqlite::memory:", logger: false })).rejects.toThrow(
        /secret is required in production/,
      );
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});

describe("production warnings (logged at start, not refusals)", () => {
  const warningsOf = (env: NodeJS.ProcessEnv) => {
    const { options, names } = optionsFromEnv({
      BATON_SECRET: strong(),
      SMTP_URL: "smtp://mail.example.com:587",
      PUBLIC_URL: "https://app.example.com/",
      ...env,
    });
    return productionWarnings(resolveConfig(options, names), names);
  };

  it("no SMTP_URL: no mail, so no password reset, said by name", () => {
    const warnings = warningsOf({ NODE_ENV: "production", SMTP_URL: "" });
    expect(warnings).toEqual([expect.stringMatching(/^SMTP_URL is not set: .*password reset/)]);
  });

  it("an http:// CORS origin", () => {
    const warnings = warningsOf({
      NODE_ENV: "production",
      CORS_ORIGINS: "https://app.example.com,http://admin.example.com",
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^CORS_ORIGINS: http:\/\/admin\.example\.com /),
    ]);
    expect(warnings[0]).toMatch(/https:\/\//);
  });

  it("a cookie name without the __Secure- prefix, named by the variable the user wrote", () => {
    expect(warningsOf({ NODE_ENV: "production", COOKIE_NAME: "refresh" })).toEqual([
      expect.stringMatching(/^COOKIE_NAME "refresh" has no __Secure- prefix/),
    ]);
  });

  it("none for the production defaults, nor outside production", () => {
    expect(warningsOf({ NODE_ENV: "production", CORS_ORIGINS: "https://app.example.com" })).toEqual(
      [],
    );
    expect(warningsOf({ CORS_ORIGINS: "http://localhost:5173", COOKIE_NAME: "refresh" })).toEqual(
      [],
    );
  });

  it("a __Host- cookie name is refused: it needs Path=/ and the refresh cookie is scoped to BASE_PATH", () => {
    expect(problemsOf({ COOKIE_NAME: "__Host-refresh", COOKIE_SECURE: "true" })[0]).toMatch(
      /^COOKIE_NAME: a __Host- cookie must have Path=\//,
    );
  });
});

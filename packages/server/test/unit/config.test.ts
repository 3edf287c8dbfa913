import { describe, expect, it } from "vitest";
import { ConfigError, optionsFromEnv, parseDuration, resolveConfig } from "@baton/server";
import { parseTrustProxy, serverEnv } from "../../src/config/env.js";

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
    const { options, problems } = optionsFromEnv({
      JWT_EXPIRES_IN: "5m",
      JWT_REFRESH_EXPIRE: "14d",
      FRONTEND_URL: "http://localhost:5173, https://app.example.com",
      JWT_SECRET_KEY: "k".repeat(40),
      JWT_ALG: "HS256",
      COOKIE_SECURE: "false",
      LOGIN_MAX_FAILURES: "3",
      JWT_REFRESH_SECRET: "r".repeat(40),
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
      secret: "r".repeat(40),
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

  it("warns when JWT_SECRET is set but unused", () => {
    expect(optionsFromEnv({ JWT_SECRET: "x".repeat(40) }).warnings[0]).toMatch(
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
    refuses({ production: true, secret: "short" }, /at least 32 bytes/);
  });
  it("in production with Secure cookies off", () =>
    refuses(
      { production: true, secret: "s".repeat(40), cookieSecure: false },
      /cannot be off in production/,
    ));
  it("HS256 without a 32-byte secret", () =>
    refuses({ jwtAlg: "HS256", jwtSecret: "secret" }, /at least 32 bytes with HS256/));
  it("an unknown algorithm", () => refuses({ jwtAlg: "none" as "HS256" }, /not supported/));
  it("a wildcard CORS origin", () => refuses({ corsOrigins: ["*"] }, /no wildcard/));
  it("SameSite=None without Secure", () =>
    refuses({ cookieSameSite: "none" }, /requires cookieSecure/));
  it("a refresh TTL not longer than the access TTL", () =>
    refuses({ accessTokenTtl: "1h", refreshTokenTtl: "30m" }, /must be longer/));
  it("an access TTL outside 1 s .. 1 day", () =>
    refuses({ accessTokenTtl: "2d" }, /between 1s and 86400s/));

  it("production defaults are the safe ones", () => {
    const config = resolveConfig({ production: true, secret: "s".repeat(40) });
    expect(config).toMatchObject({
      cookieSecure: true,
      cookieName: "__Secure-refresh_token",
      cookieSameSite: "strict",
      jwtAlg: "EdDSA",
    });
    expect(Object.isFrozen(config)).toBe(true);
  });
});

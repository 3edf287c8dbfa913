import { randomBytes } from "node:crypto";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ConfigError,
  createBaton,
  optionsFromEnv,
  resolveConfig,
  startServer,
  type BatonOptions,
  type ServerOptions,
} from "@baton/server";
import { serverEnv } from "../../src/config/env.js";
import { integer, text, type OptionInputs } from "../../src/config/option-kinds.js";
import { OPTIONS, SERVER_OPTIONS, variablesOf } from "../../src/config/option-table.js";
import { group, readOptions } from "../../src/config/read-options.js";
import { runCli } from "../cli/run-cli.js";

/** The problems resolveConfig reports, or [] when it accepts. */
function problemsOf(options: object, names?: Parameters<typeof resolveConfig>[1]): string[] {
  try {
    resolveConfig(options, names);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

// Issue 14 item 6: unknown option keys were silently accepted, so a typo ran on the default.
describe("unknown option keys are refused, with the valid ones", () => {
  it("a misspelt key names the closest option and lists every valid one", () => {
    const problems = problemsOf({ acessTokenTtl: "5m" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^acessTokenTtl is not an option \(did you mean accessTokenTtl\?\)/,
    );
    for (const key of Object.keys(OPTIONS)) expect(problems[0]).toContain(key);
  });

  it("an environment variable written as a key points at its option", () => {
    expect(problemsOf({ JWT_EXPIRES_IN: "5m" })[0]).toMatch(
      /^JWT_EXPIRES_IN is not an option \(did you mean accessTokenTtl\?\)/,
    );
  });

  it("a key nothing resembles gets the list alone", () => {
    const [problem] = problemsOf({ flux: 1 });
    expect(problem).toMatch(/^flux is not an option; the options are: databaseUrl, /);
  });

  it("together with every other problem, at once", () => {
    const problems = problemsOf({ cookiName: "x", accessTokenTtl: "2d", bodyLimit: 1 });
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/cookiName is not an option \(did you mean cookieName\?\)/);
  });

  it("createBaton refuses them before it opens anything", async () => {
    await expect(
      createBaton({ databaseUrl: "sqlite::memory:", logger: false, metric: false } as BatonOptions),
    ).rejects.toThrow(/metric is not an option \(did you mean metrics\?\)/);
  });

  it("startServer knows its own options too", async () => {
    const options = { databaseUrl: "sqlite::memory:", logger: false, prot: 0 };
    await expect(startServer(options as ServerOptions)).rejects.toThrow(
      /prot is not an option \(did you mean port\?\)/,
    );
    const server = await startServer({
      databaseUrl: "sqlite::memory:",
      logger: false,
      port: 0,
      host: "127.0.0.1",
      trustProxy: false,
      configure: () => undefined,
    });
    await server.close();
  });

  it("inside a group, named by their path", () => {
    const table = {
      limits: {
        env: [],
        doc: "Limits.",
        kind: group({
          perMinute: { env: ["PER_MINUTE"], doc: "Per minute.", kind: integer(60, 0, 1000) },
          label: { env: [], doc: "Label.", kind: text({ default: "x" }) },
        }),
      },
    };
    const refused = readOptions(table, { limits: { perMinut: 5, label: "y" } }, {});
    expect(refused.problems).toEqual([
      expect.stringMatching(
        /^limits\.perMinut is not an option \(did you mean limits\.perMinute\?\); the options are: limits\.perMinute, limits\.label$/,
      ),
    ]);
    expect(readOptions(table, { limits: "none" }, {}).problems).toEqual([
      'limits: "none" must be an object',
    ]);
    expect(readOptions(table, { limits: { perMinute: 5 } }, {})).toEqual({
      values: { limits: { perMinute: 5, label: "x" } },
      problems: [],
    });
    expect(readOptions(table, {}, {}).values).toEqual({ limits: { perMinute: 60, label: "x" } });
  });
});

/**
 * One line per environment variable of the table (Baton's names and the seeds' aliases): the
 * text a user writes and the option value it becomes. A variable added to the table without a
 * line here fails the first test.
 */
const FROM_ENV: [variable: string, raw: string, key: keyof BatonOptions, value: unknown][] = [
  ["DATABASE_URL", "sqlite::memory:", "databaseUrl", "sqlite::memory:"],
  ["BASE_PATH", "/auth", "basePath", "/auth"],
  ["REDIS_URL", "redis://127.0.0.1:6379/1", "redisUrl", "redis://127.0.0.1:6379/1"],
  ["REVOCATION_POLL_INTERVAL", "2s", "revocationPollInterval", "2s"],
  ["KEY_ROTATION_INTERVAL", "30d", "keyRotationInterval", "30d"],
  ["METRICS", "off", "metrics", false],
  ["ACCESS_TOKEN_TTL", "5m", "accessTokenTtl", "5m"],
  ["ACCESS_TOKEN_EXPIRY", "5m", "accessTokenTtl", "5m"],
  ["JWT_EXPIRE", "300", "accessTokenTtl", "300"],
  ["JWT_EXPIRES_IN", "5m", "accessTokenTtl", "5m"],
  ["REFRESH_TOKEN_TTL", "14d", "refreshTokenTtl", "14d"],
  ["REFRESH_TOKEN_EXPIRY", "14d", "refreshTokenTtl", "14d"],
  ["JWT_REFRESH_EXPIRE", "14d", "refreshTokenTtl", "14d"],
  ["JWT_REFRESH_EXPIRES_IN", "14d", "refreshTokenTtl", "14d"],
  ["SESSION_MAX_LIFETIME", "0", "sessionMaxLifetime", "0"],
  ["REFRESH_REUSE_INTERVAL", "5s", "refreshReuseInterval", "5s"],
  ["REFRESH_RECOVERY_WINDOW", "1h", "refreshRecoveryWindow", "1h"],
  ["JWT_ALG", "ES256", "jwtAlg", "ES256"],
  ["JWT_SECRET", "s".repeat(40), "jwtSecret", "s".repeat(40)],
  ["JWT_SECRET_KEY", "k".repeat(40), "jwtSecret", "k".repeat(40)],
  ["JWT_ISSUER", "https://auth.example.com", "issuer", "https://auth.example.com"],
  ["JWT_AUDIENCE", "api", "audience", "api"],
  ["JWT_CLOCK_TOLERANCE", "2s", "clockTolerance", "2s"],
  ["BATON_SECRET", "b".repeat(40), "secret", "b".repeat(40)],
  ["JWT_REFRESH_SECRET", "r".repeat(40), "secret", "r".repeat(40)],
  ["JWT_REFRESH_SECRET_KEY", "q".repeat(40), "secret", "q".repeat(40)],
  [
    "CORS_ORIGINS",
    "https://a.example, https://b.example",
    "corsOrigins",
    ["https://a.example", "https://b.example"],
  ],
  ["FRONTEND_URL", "http://localhost:5173", "corsOrigins", ["http://localhost:5173"]],
  ["COOKIE_NAME", "rt", "cookieName", "rt"],
  ["COOKIE_SAMESITE", "Lax", "cookieSameSite", "lax"],
  ["COOKIE_SECURE", "true", "cookieSecure", true],
  ["LOGIN_MAX_FAILURES", "3", "loginMaxFailures", 3],
  ["LOGIN_MAX_FAILURES_PER_IP", "100", "loginMaxFailuresPerIp", 100],
  ["LOGIN_LOCKOUT", "1h", "loginLockout", "1h"],
  ["AUTH_RATE_LIMIT", "0", "authRateLimit", 0],
  ["SESSION_RATE_LIMIT", "30", "sessionRateLimit", 30],
  ["RATE_LIMIT_IPV6_PREFIX", "56", "rateLimitIpv6Prefix", 56],
  ["BODY_LIMIT", "65536", "bodyLimit", 65_536],
  ["PUBLIC_URL", "https://app.example.com/", "publicUrl", "https://app.example.com/"],
  ["APP_URL", "https://app.example.com/", "publicUrl", "https://app.example.com/"],
  ["APP_NAME", "Tasks", "appName", "Tasks"],
  ["SMTP_URL", "smtp://mail.example.com:587", "smtpUrl", "smtp://mail.example.com:587"],
  ["MAIL_FROM", "Tasks <no-reply@example.com>", "mailFrom", "Tasks <no-reply@example.com>"],
  ["PASSWORD_RESET_TTL", "10m", "passwordResetTtl", "10m"],
  ["EMAIL_VERIFICATION", "Required", "emailVerification", "required"],
  [
    "WEBHOOK_URL",
    "https://hooks.example.com/baton",
    "webhookUrl",
    "https://hooks.example.com/baton",
  ],
  ["WEBHOOK_SECRET", "3q2-7wP0sXk9", "webhookSecret", "3q2-7wP0sXk9"],
  ["GEOIP_DATABASE", "/var/lib/geoip/City.mmdb", "geoipDatabase", "/var/lib/geoip/City.mmdb"],
  ["ADMIN_EMAIL", "admin@example.com", "adminEmail", "admin@example.com"],
  ["ADMIN_PASSWORD", "correct horse battery", "adminPassword", "correct horse battery"],
  ["NODE_ENV", "staging", "production", true],
  ["LOG_LEVEL", "debug", "logLevel", "debug"],
];

describe("every variable of the table is read from the environment", () => {
  it("this test has a line for each of them", () => {
    expect(FROM_ENV.map(([variable]) => variable).sort()).toEqual(variablesOf(OPTIONS).sort());
  });

  it.each(FROM_ENV)("%s=%s", (variable, raw, key, value) => {
    const { options, names, problems } = optionsFromEnv({ [variable]: raw });
    expect(problems).toEqual([]);
    expect(options[key]).toEqual(value);
    expect(names[key]).toBe(variable);
  });

  it("the standalone server's variables too", () => {
    expect(variablesOf(SERVER_OPTIONS).sort()).toEqual(["HOST", "PORT", "TRUST_PROXY"]);
    expect(serverEnv({ PORT: "0", HOST: "::1", TRUST_PROXY: "10.0.0.0/8" }).value).toEqual({
      port: 0,
      host: "::1",
      trustProxy: ["10.0.0.0/8"],
    });
    expect(serverEnv({}).value).toEqual({ port: 3000, host: "0.0.0.0", trustProxy: false });
    expect(serverEnv({ PORT: "http" }).problems).toEqual(['PORT: "http" is not a whole number']);
  });

  it("values resolve to the table's defaults when nothing is set", () => {
    const { options, names } = optionsFromEnv({});
    expect(resolveConfig(options, names)).toMatchObject({
      databaseUrl: "sqlite:./data/baton.db",
      basePath: "/api/auth",
      accessTokenTtlMs: 900_000,
      bodyLimit: 16_384,
      metrics: true,
      logLevel: "info",
    });
  });
});

describe("BatonOptions and the table cannot drift apart", () => {
  it("the table's input types are exactly BatonOptions (a type test: it fails to compile)", () => {
    expectTypeOf<OptionInputs<typeof OPTIONS>>().toEqualTypeOf<Required<BatonOptions>>();
    expectTypeOf<keyof typeof SERVER_OPTIONS>().toEqualTypeOf<
      Exclude<keyof ServerOptions, keyof BatonOptions>
    >();
  });

  it("programmatic values of the wrong type are refused, named by their key", () => {
    expect(problemsOf({ metrics: "no", loginMaxFailures: "5" })).toEqual([
      'metrics: "no" must be true or false',
      'loginMaxFailures: "5" must be a whole number from 1 to 1000',
    ]);
    expect(problemsOf({ corsOrigins: "https://a.example" })).toEqual([
      'corsOrigins: "https://a.example" must be a list of origins',
    ]);
  });
});

// Issue 13 item 4: a seed's JWT_SECRET_KEY was silently unused unless JWT_ALG=HS256.
describe("a JWT secret without JWT_ALG=HS256 stops startup, saying what to change", () => {
  const secret = randomBytes(32).toString("base64url");
  const fromEnv = (env: NodeJS.ProcessEnv) => {
    const { options, names, problems } = optionsFromEnv(env);
    return [...problems, ...problemsOf(options, names)];
  };

  it.each(["JWT_SECRET", "JWT_SECRET_KEY"])("%s alone (the seeds' .env)", (variable) => {
    const problems = fromEnv({ [variable]: secret });
    expect(problems).toEqual([
      `${variable} is set but JWT_ALG is not HS256, so ${variable} would sign nothing. Set JWT_ALG=HS256 to keep sharing ${variable} with the resource servers that verify tokens with it, or remove ${variable} to sign with Baton's key ring (EdDSA by default), which resource servers verify through the JWKS at /.well-known/jwks.json`,
    ]);
    expect(problems[0]).not.toContain(secret);
  });

  it.each(["EdDSA", "ES256", "RS256"])("with JWT_ALG=%s", (alg) => {
    expect(fromEnv({ JWT_ALG: alg, JWT_SECRET: secret })[0]).toMatch(
      /^JWT_SECRET is set but JWT_ALG is not HS256/,
    );
  });

  it("in programmatic options, named by their keys", () => {
    expect(problemsOf({ jwtSecret: secret })[0]).toMatch(
      /^jwtSecret is set but jwtAlg is not HS256, so jwtSecret would sign nothing. Set jwtAlg=HS256 /,
    );
  });

  it("`baton serve` with seed 000's .env exits 78 (configuration) and says both fixes", async () => {
    const result = await runCli(["serve"], {
      env: { DATABASE_URL: "sqlite::memory:", PORT: "0", JWT_SECRET_KEY: secret },
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(
      /^Invalid Baton configuration:\n {2}- JWT_SECRET_KEY is set but JWT_ALG is not HS256, .*Set JWT_ALG=HS256 .*or remove JWT_SECRET_KEY /,
    );
    expect(result.stderr).not.toContain(secret);
  });

  it("HS256 with the secret, and the key ring without one, start", () => {
    expect(fromEnv({ JWT_ALG: "HS256", JWT_SECRET_KEY: secret })).toEqual([]);
    expect(fromEnv({ JWT_ALG: "ES256" })).toEqual([]);
    expect(fromEnv({ JWT_SECRET: "" })).toEqual([]);
  });
});

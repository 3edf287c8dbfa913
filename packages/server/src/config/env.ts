import type { BatonOptions } from "./options.js";

/** Every variable Baton reads (docs/configuration.md documents each; a test checks it). */
export function environmentVariables(): string[] {
  return [...VARIABLES.flatMap(([, names]) => names), "PORT", "HOST", "TRUST_PROXY", "NODE_ENV"];
}

/** Standalone-server settings that only the environment (or `startServer`) provides. */
export interface ServerEnv {
  port: number;
  host: string;
  trustProxy: boolean | number | string[];
}

type Parsed<T> = { value: T | undefined; problem?: string };

/**
 * Environment variable → option. The first name is Baton's; the rest are aliases taken from the
 * seed applications so people migrating from them can keep their `.env`.
 */
const VARIABLES: [keyof BatonOptions, string[], (raw: string, name: string) => Parsed<unknown>][] =
  [
    ["databaseUrl", ["DATABASE_URL"], text],
    ["basePath", ["BASE_PATH"], text],
    ["redisUrl", ["REDIS_URL"], text],
    ["revocationPollInterval", ["REVOCATION_POLL_INTERVAL"], text],
    ["keyRotationInterval", ["KEY_ROTATION_INTERVAL"], text],
    ["metrics", ["METRICS"], boolean],
    [
      "accessTokenTtl",
      ["ACCESS_TOKEN_TTL", "ACCESS_TOKEN_EXPIRY", "JWT_EXPIRE", "JWT_EXPIRES_IN"],
      text,
    ],
    [
      "refreshTokenTtl",
      ["REFRESH_TOKEN_TTL", "REFRESH_TOKEN_EXPIRY", "JWT_REFRESH_EXPIRE", "JWT_REFRESH_EXPIRES_IN"],
      text,
    ],
    ["sessionMaxLifetime", ["SESSION_MAX_LIFETIME"], text],
    ["refreshReuseInterval", ["REFRESH_REUSE_INTERVAL"], text],
    ["refreshRecoveryWindow", ["REFRESH_RECOVERY_WINDOW"], text],
    ["jwtAlg", ["JWT_ALG"], text],
    ["jwtSecret", ["JWT_SECRET", "JWT_SECRET_KEY"], text],
    ["issuer", ["JWT_ISSUER"], text],
    ["audience", ["JWT_AUDIENCE"], text],
    ["clockTolerance", ["JWT_CLOCK_TOLERANCE"], text],
    ["secret", ["BATON_SECRET", "JWT_REFRESH_SECRET", "JWT_REFRESH_SECRET_KEY"], text],
    ["corsOrigins", ["CORS_ORIGINS", "FRONTEND_URL"], list],
    ["cookieName", ["COOKIE_NAME"], text],
    ["cookieSameSite", ["COOKIE_SAMESITE"], (raw) => ({ value: raw.toLowerCase() })],
    ["cookieSecure", ["COOKIE_SECURE"], boolean],
    ["loginMaxFailures", ["LOGIN_MAX_FAILURES"], integer],
    ["loginMaxFailuresPerIp", ["LOGIN_MAX_FAILURES_PER_IP"], integer],
    ["loginLockout", ["LOGIN_LOCKOUT"], text],
    ["authRateLimit", ["AUTH_RATE_LIMIT"], integer],
    ["sessionRateLimit", ["SESSION_RATE_LIMIT"], integer],
    ["rateLimitIpv6Prefix", ["RATE_LIMIT_IPV6_PREFIX"], integer],
    ["bodyLimit", ["BODY_LIMIT"], integer],
    ["adminEmail", ["ADMIN_EMAIL"], text],
    ["adminPassword", ["ADMIN_PASSWORD"], text],
    ["logLevel", ["LOG_LEVEL"], text],
  ];

/**
 * Reads Baton's options from environment variables. Returns the options, the variable each came
 * from (for error messages), and the problems found while parsing.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): {
  options: BatonOptions;
  names: Partial<Record<keyof BatonOptions, string>>;
  problems: string[];
  warnings: string[];
} {
  const options: Record<string, unknown> = {};
  const names: Partial<Record<keyof BatonOptions, string>> = {};
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [key, variables, parse] of VARIABLES) {
    names[key] = variables[0];
    for (const name of variables) {
      const raw = env[name];
      if (raw === undefined || raw === "") continue;
      names[key] = name;
      const parsed = parse(raw, name);
      if (parsed.problem) problems.push(parsed.problem);
      else options[key] = parsed.value;
      break;
    }
  }
  options.production = isProductionEnv(env);
  if (options.production && env.NODE_ENV !== "production") {
    warnings.push(
      `NODE_ENV=${JSON.stringify(env.NODE_ENV)} is not "development" or "test": production rules apply (exactly "development" or "test" runs in development mode).`,
    );
  }
  if (options.jwtSecret !== undefined && options.jwtAlg !== "HS256") {
    warnings.push(
      `${names.jwtSecret} is set but JWT_ALG is not HS256: access tokens are signed with the key ring and ${names.jwtSecret} is unused.`,
    );
  }
  return { options: options, names, problems, warnings };
}

/**
 * The one NODE_ENV rule: unset (or empty), exactly `development` and exactly `test` are
 * development; any other value (`production`, `Production`, `prod`, `staging`, ...) is production.
 * A misspelling thus gets the strict checks instead of silently running development mode.
 */
export function isProductionEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.NODE_ENV;
  return !(value === undefined || value === "" || value === "development" || value === "test");
}

/** PORT, HOST and TRUST_PROXY for the standalone server. */
export function serverEnv(env: NodeJS.ProcessEnv): { value: ServerEnv; problems: string[] } {
  const problems: string[] = [];
  const port = env.PORT ? integer(env.PORT, "PORT") : { value: 3000 };
  if (port.problem) problems.push(port.problem);
  if (port.value !== undefined && (port.value < 0 || port.value > 65535)) {
    problems.push(`PORT: ${port.value} is not a TCP port`);
  }
  return {
    value: {
      port: port.value ?? 3000,
      host: env.HOST || "0.0.0.0",
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
    },
    problems,
  };
}

/** `true`/`false`, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
export function parseTrustProxy(raw: string | undefined): boolean | number | string[] {
  if (raw === undefined || raw === "" || /^(false|0|no)$/i.test(raw)) return false;
  if (/^(true|yes)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return list(raw).value ?? false;
}

function text(raw: string): Parsed<string> {
  return { value: raw };
}

function list(raw: string): Parsed<string[]> {
  return {
    value: raw
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  };
}

function integer(raw: string, name: string): Parsed<number> {
  if (!/^\d+$/.test(raw.trim()))
    return { value: undefined, problem: `${name}: ${JSON.stringify(raw)} is not a whole number` };
  return { value: Number(raw.trim()) };
}

function boolean(raw: string, name: string): Parsed<boolean> {
  if (/^(true|1|yes|on)$/i.test(raw)) return { value: true };
  if (/^(false|0|no|off)$/i.test(raw)) return { value: false };
  return { value: undefined, problem: `${name}: ${JSON.stringify(raw)} must be true or false` };
}

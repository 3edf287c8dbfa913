import { dirname, join } from "node:path";
import { parseDuration } from "./duration.js";
import type { BatonConfig, BatonOptions, Duration } from "./options.js";
import { GENERATE_SECRET, judgeSecret } from "./secret-strength.js";

/** Startup refused: the configuration is invalid or unsafe. Lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid Baton configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

/**
 * Validates options once, fills in defaults and freezes the result. `names` maps option keys to
 * the names the user wrote (environment variable names when the options came from the env), so
 * messages point at what to fix.
 */
export function resolveConfig(
  options: BatonOptions,
  names: Partial<Record<keyof BatonOptions, string>> = {},
): BatonConfig {
  const problems: string[] = [];
  const label = (key: keyof BatonOptions) => names[key] ?? key;

  const duration = (key: keyof BatonOptions, fallback: Duration, min: number, max: number) => {
    const raw = (options[key] as Duration | undefined) ?? fallback;
    const ms = parseDuration(raw);
    if (ms === undefined) {
      problems.push(
        `${label(key)}: ${JSON.stringify(raw)} is not a duration (e.g. 900, 15m, 2s, 7d)`,
      );
      return parseDuration(fallback) ?? 0;
    }
    if (ms < min || ms > max) {
      problems.push(
        `${label(key)}: ${JSON.stringify(raw)} must be between ${min / 1000}s and ${max / 1000}s`,
      );
    }
    return ms;
  };
  const integer = (key: keyof BatonOptions, fallback: number, min: number, max: number) => {
    const value = (options[key] as number | undefined) ?? fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(
        `${label(key)}: ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`,
      );
      return fallback;
    }
    return value;
  };

  // No environment is read here: `baton serve` decides from NODE_ENV (config/env.ts), and
  // createBaton does the same for embedders that pass no `production`.
  const production = options.production ?? false;
  const DAY = 86_400_000;
  const accessTokenTtlMs = duration("accessTokenTtl", "15m", 1000, DAY);
  const refreshTokenTtlMs = duration("refreshTokenTtl", "7d", 10_000, 400 * DAY);
  const sessionMaxLifetimeMs = duration("sessionMaxLifetime", "30d", 0, 3650 * DAY);
  const refreshReuseIntervalMs = duration("refreshReuseInterval", "10s", 0, 300_000);
  // By default a device may stay away as long as its session would wait for it anyway.
  const refreshRecoveryWindowMs = duration(
    "refreshRecoveryWindow",
    `${refreshTokenTtlMs}ms`,
    0,
    400 * DAY,
  );
  if (refreshRecoveryWindowMs !== 0 && refreshRecoveryWindowMs <= refreshReuseIntervalMs) {
    problems.push(
      `${label("refreshRecoveryWindow")} must be 0 (off) or longer than ${label("refreshReuseInterval")}`,
    );
  }
  const clockToleranceMs = duration("clockTolerance", "5s", 0, 300_000);
  if (refreshTokenTtlMs <= accessTokenTtlMs) {
    problems.push(`${label("refreshTokenTtl")} must be longer than ${label("accessTokenTtl")}`);
  }

  const jwtAlg = options.jwtAlg ?? "EdDSA";
  if (!["EdDSA", "ES256", "RS256", "HS256"].includes(jwtAlg)) {
    problems.push(
      `${label("jwtAlg")}: ${JSON.stringify(jwtAlg)} is not supported (EdDSA, ES256, RS256 or HS256)`,
    );
  }
  // Secrets the user wrote are judged in every mode: NODE_ENV unset means development, and an
  // unset NODE_ENV is the commonest production mistake, so the mode must not be the loophole.
  // Messages name the variable and the fix, never the secret.
  const weakSecret = (name: string, value: string) => {
    const { weaknesses } = judgeSecret(value);
    if (weaknesses.length > 0) {
      problems.push(`${name} is too weak: ${weaknesses.join("; ")}. Please ${GENERATE_SECRET}`);
    }
  };
  const jwtSecret = options.jwtSecret || undefined;
  const secret = options.secret || undefined;
  if (jwtAlg === "HS256") {
    // An HS256 key is what gets cracked offline: one captured token is enough to test guesses.
    if (jwtSecret === undefined) {
      problems.push(`${label("jwtSecret")} is required with HS256: ${GENERATE_SECRET}`);
    } else if (jwtSecret === secret) {
      // One key, one purpose: JWT_SECRET is handed to every service that verifies tokens;
      // BATON_SECRET must never leave Baton (it forges refresh tokens and unseals signing keys).
      problems.push(
        `${label("jwtSecret")} must differ from ${label("secret")}: every service that verifies HS256 tokens holds ${label("jwtSecret")}, and ${label("secret")} must stay with Baton. Please ${GENERATE_SECRET}`,
      );
    } else {
      weakSecret(`${label("jwtSecret")} (the HS256 signing key)`, jwtSecret);
    }
  }
  if (secret !== undefined) weakSecret(label("secret"), secret);
  if (production && secret === undefined) {
    problems.push(`${label("secret")} is required in production: ${GENERATE_SECRET}`);
  }

  const databaseUrl = options.databaseUrl ?? "sqlite:./data/baton.db";
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl) && options.store === undefined) {
    problems.push(
      `${label("databaseUrl")}: ${JSON.stringify(databaseUrl)} must start with sqlite: or postgres://`,
    );
  }

  const redisUrl = options.redisUrl || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push(`${label("redisUrl")}: must start with redis:// or rediss://`);
  }
  const keyRotationIntervalMs = duration("keyRotationInterval", 0, 0, 3650 * DAY);
  if (keyRotationIntervalMs !== 0 && keyRotationIntervalMs < 3_600_000) {
    problems.push(`${label("keyRotationInterval")} must be 0 (off) or at least 1h`);
  }

  const basePath = options.basePath ?? "/api/auth";
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    problems.push(`${label("basePath")}: ${JSON.stringify(basePath)} must look like /api/auth`);
  }

  const cookieSameSite = options.cookieSameSite ?? "strict";
  if (!["strict", "lax", "none"].includes(cookieSameSite)) {
    problems.push(
      `${label("cookieSameSite")}: ${JSON.stringify(cookieSameSite)} must be strict, lax or none`,
    );
  }
  const cookieSecure = options.cookieSecure ?? production;
  if (production && !cookieSecure) {
    problems.push(
      `${label("cookieSecure")} cannot be off in production: the refresh cookie would travel over plain HTTP`,
    );
  }
  if (cookieSameSite === "none" && !cookieSecure) {
    problems.push(
      `${label("cookieSameSite")}=none requires ${label("cookieSecure")} (browsers drop such cookies)`,
    );
  }
  const cookieName =
    options.cookieName ?? (production ? "__Secure-refresh_token" : "refresh_token");
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    problems.push(
      `${label("cookieName")}: ${JSON.stringify(cookieName)} is not a valid cookie name`,
    );
  }
  if (cookieName.startsWith("__Secure-") && !cookieSecure) {
    problems.push(`${label("cookieName")}: a __Secure- cookie needs ${label("cookieSecure")}`);
  }
  if (cookieName.startsWith("__Host-")) {
    // RFC 6265bis §4.1.3.2: browsers drop a __Host- cookie whose Path is not "/".
    problems.push(
      `${label("cookieName")}: a __Host- cookie must have Path=/, but the refresh cookie is scoped to ${label("basePath")} so no other route receives it (browsers would drop it); use a __Secure- name`,
    );
  }

  const corsOrigins = (options.corsOrigins ?? []).map((origin) => origin.replace(/\/+$/, ""));
  for (const origin of corsOrigins) {
    if (origin === "*" || !/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(
        `${label("corsOrigins")}: ${JSON.stringify(origin)} must be an origin like https://app.example.com (no wildcard: credentials are involved)`,
      );
    }
  }

  const adminEmail = options.adminEmail || undefined;
  const adminPassword = options.adminPassword || undefined;
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push(`${label("adminEmail")} and ${label("adminPassword")} go together`);
  }

  const dbFile = /^sqlite:(?!:memory:)(.+)$/.exec(databaseUrl)?.[1];
  const config: BatonConfig = {
    databaseUrl,
    basePath,
    redisUrl,
    revocationPollIntervalMs: duration("revocationPollInterval", "1s", 100, 60_000),
    keyRotationIntervalMs,
    metrics: options.metrics ?? true,
    accessTokenTtlMs,
    refreshTokenTtlMs,
    sessionMaxLifetimeMs,
    refreshReuseIntervalMs,
    refreshRecoveryWindowMs,
    jwtAlg,
    jwtSecret,
    issuer: options.issuer || "baton",
    audience: options.audience || "baton",
    clockToleranceMs,
    secret,
    // Development only: kept beside the SQLite file, or in ./data for other databases; an
    // in-memory database gets an in-memory secret.
    secretFile:
      options.secretFile ??
      (dbFile
        ? join(dirname(dbFile), "baton.secret")
        : databaseUrl === "sqlite::memory:"
          ? undefined
          : join("data", "baton.secret")),
    corsOrigins,
    cookieName,
    cookieSameSite,
    cookieSecure,
    loginMaxFailures: integer("loginMaxFailures", 5, 1, 1000),
    loginMaxFailuresPerIp: integer("loginMaxFailuresPerIp", 50, 1, 100_000),
    loginLockoutMs: duration("loginLockout", "15m", 1000, DAY),
    authRateLimit: integer("authRateLimit", 60, 0, 1_000_000),
    sessionRateLimit: integer("sessionRateLimit", 600, 0, 1_000_000),
    // A prefix shorter than /32 would lump a whole provider together; /128 counts each address.
    rateLimitIpv6Prefix: integer("rateLimitIpv6Prefix", 64, 32, 128),
    bodyLimit: integer("bodyLimit", 16_384, 1024, 1_048_576),
    adminEmail,
    adminPassword,
    production,
    logLevel: options.logLevel ?? "info",
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

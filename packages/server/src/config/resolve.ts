import { dirname, join } from "node:path";
import type { BatonConfig, BatonOptions } from "./options.js";
import { OPTIONS, SERVER_OPTIONS } from "./option-table.js";
import { readOptions } from "./read-options.js";
import { GENERATE_SECRET, judgeSecret } from "./secret-strength.js";
import { checkMailOptions, type ResolvedMailOptions } from "./mail-options.js";

/** Startup refused: the configuration is invalid or unsafe. Lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid Baton configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

/**
 * Validates options once, fills in defaults and freezes the result. Each option's own check,
 * default and range come from option-table.ts (unknown keys are refused there); the rules
 * between options are here. `names` maps option keys to the names the user wrote (environment
 * variable names when the options came from the env), so messages point at what to fix.
 */
export function resolveConfig(
  options: BatonOptions,
  names: Partial<Record<keyof BatonOptions, string>> = {},
): BatonConfig {
  const { values, problems } = readOptions(OPTIONS, options, names, {
    table: SERVER_OPTIONS,
    owner: "startServer",
  });
  const label = (key: keyof BatonOptions) => names[key] ?? key;

  // No environment is read here: `baton serve` decides from NODE_ENV (config/env.ts), and
  // createBaton does the same for embedders that pass no `production`.
  const production = values.production ?? false;
  const accessTokenTtlMs = values.accessTokenTtl ?? 0;
  const refreshTokenTtlMs = values.refreshTokenTtl ?? 0;
  const refreshReuseIntervalMs = values.refreshReuseInterval ?? 0;
  // By default a device may stay away as long as its session would wait for it anyway.
  const refreshRecoveryWindowMs = values.refreshRecoveryWindow ?? refreshTokenTtlMs;
  if (refreshRecoveryWindowMs !== 0 && refreshRecoveryWindowMs <= refreshReuseIntervalMs) {
    problems.push(
      `${label("refreshRecoveryWindow")} must be 0 (off) or longer than ${label("refreshReuseInterval")}`,
    );
  }
  if (refreshTokenTtlMs <= accessTokenTtlMs) {
    problems.push(`${label("refreshTokenTtl")} must be longer than ${label("accessTokenTtl")}`);
  }

  const { jwtAlg, jwtSecret, secret } = values;
  // Secrets the user wrote are judged in every mode: NODE_ENV unset means development, and an
  // unset NODE_ENV is the commonest production mistake, so the mode must not be the loophole.
  // Messages name the variable and the fix, never the secret.
  const weakSecret = (name: string, value: string) => {
    const { weaknesses } = judgeSecret(value);
    if (weaknesses.length > 0) {
      problems.push(`${name} is too weak: ${weaknesses.join("; ")}. Please ${GENERATE_SECRET}`);
    }
  };
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
  } else if (jwtSecret !== undefined) {
    // Issue 13 item 4: the seeds' .env sets JWT_SECRET(_KEY), and their resource servers verify
    // with it. Ignoring it (as a warning did) leaves those servers refusing every token with no
    // hint why; the two ways out are equally legitimate, so the user picks.
    const [name, alg] = [label("jwtSecret"), label("jwtAlg")];
    problems.push(
      `${name} is set but ${alg} is not HS256, so ${name} would sign nothing. Set ${alg}=HS256 to keep sharing ${name} with the resource servers that verify tokens with it, or remove ${name} to sign with Baton's key ring (EdDSA by default), which resource servers verify through the JWKS at /.well-known/jwks.json`,
    );
  }
  if (secret !== undefined) weakSecret(label("secret"), secret);
  if (production && secret === undefined) {
    problems.push(`${label("secret")} is required in production: ${GENERATE_SECRET}`);
  }

  const { databaseUrl, basePath, cookieSameSite } = values;
  const cookieSecure = values.cookieSecure ?? production;
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
  const cookieName = values.cookieName ?? (production ? "__Secure-refresh_token" : "refresh_token");
  if (cookieName.startsWith("__Secure-") && !cookieSecure) {
    problems.push(`${label("cookieName")}: a __Secure- cookie needs ${label("cookieSecure")}`);
  }
  if (cookieName.startsWith("__Host-")) {
    // RFC 6265bis §4.1.3.2: browsers drop a __Host- cookie whose Path is not "/".
    problems.push(
      `${label("cookieName")}: a __Host- cookie must have Path=/, but the refresh cookie is scoped to ${label("basePath")} so no other route receives it (browsers would drop it); use a __Secure- name`,
    );
  }

  const { adminEmail, adminPassword } = values;
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    problems.push(`${label("adminEmail")} and ${label("adminPassword")} go together`);
  }

  const mail = mailOptions(values, production, label, problems);
  if (values.emailVerification === "required" && mail === null)
    problems.push(
      `${label("emailVerification")}=required needs mail (SMTP_URL): nobody could verify an address, so nobody could sign in`,
    );
  const webhook = webhookOptions(values, production, label, problems, weakSecret);

  const dbFile = /^sqlite:(?!:memory:)(.+)$/.exec(databaseUrl)?.[1];
  const config: BatonConfig = {
    databaseUrl,
    basePath,
    redisUrl: values.redisUrl,
    revocationPollIntervalMs: values.revocationPollInterval ?? 0,
    keyRotationIntervalMs: values.keyRotationInterval ?? 0,
    metrics: values.metrics ?? true,
    accessTokenTtlMs,
    refreshTokenTtlMs,
    sessionMaxLifetimeMs: values.sessionMaxLifetime ?? 0,
    refreshReuseIntervalMs,
    refreshRecoveryWindowMs,
    jwtAlg,
    jwtSecret,
    issuer: values.issuer,
    audience: values.audience,
    clockToleranceMs: values.clockTolerance ?? 0,
    secret,
    // Development only: kept beside the SQLite file, or in ./data for other databases; an
    // in-memory database gets an in-memory secret.
    secretFile:
      values.secretFile ??
      (dbFile
        ? join(dirname(dbFile), "baton.secret")
        : databaseUrl === "sqlite::memory:"
          ? undefined
          : join("data", "baton.secret")),
    corsOrigins: values.corsOrigins,
    cookieName,
    cookieSameSite,
    cookieSecure,
    loginMaxFailures: values.loginMaxFailures,
    loginMaxFailuresPerIp: values.loginMaxFailuresPerIp,
    loginLockoutMs: values.loginLockout ?? 0,
    authRateLimit: values.authRateLimit,
    sessionRateLimit: values.sessionRateLimit,
    rateLimitIpv6Prefix: values.rateLimitIpv6Prefix,
    bodyLimit: values.bodyLimit,
    mail,
    passwordResetTtlMs: values.passwordResetTtl ?? 0,
    emailVerification: values.emailVerification,
    webhook,
    geoipDatabase: values.geoipDatabase,
    adminEmail,
    adminPassword,
    production,
    logLevel: values.logLevel,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/**
 * The webhook: URL and secret together; https in production (the body names users and
 * addresses), and the secret judged like every other (a guessable one lets anyone forge events).
 */
function webhookOptions(
  values: { webhookUrl?: string; webhookSecret?: string },
  production: boolean,
  label: (key: keyof BatonOptions) => string,
  problems: string[],
  weakSecret: (name: string, value: string) => void,
): BatonConfig["webhook"] {
  const { webhookUrl: url, webhookSecret: secret } = values;
  if (url === undefined && secret === undefined) return null;
  if (url === undefined || secret === undefined) {
    problems.push(`${label("webhookUrl")} and ${label("webhookSecret")} go together`);
    return null;
  }
  if (!URL.canParse(url)) problems.push(`${label("webhookUrl")} is not a URL`);
  else if (production && new URL(url).protocol !== "https:")
    problems.push(`${label("webhookUrl")} must use https in production`);
  weakSecret(label("webhookSecret"), secret);
  return { url, secret };
}

/**
 * Mail is on in development (the development inbox when no SMTP URL is given) and in production
 * once an SMTP URL is: then the public URL is required, on https, because every mailed link is
 * built from it (mail-options.ts says why).
 */
function mailOptions(
  values: { publicUrl?: string; appName: string; smtpUrl?: string; mailFrom?: string },
  production: boolean,
  label: (key: keyof BatonOptions) => string,
  problems: string[],
): ResolvedMailOptions | null {
  if (production && values.smtpUrl === undefined) return null;
  if (production && values.publicUrl === undefined) {
    problems.push(
      `${label("publicUrl")} is required with ${label("smtpUrl")} in production: mailed links are built from it, never from a request's Host header`,
    );
    return null;
  }
  const publicUrl = values.publicUrl ?? "http://localhost:3000/";
  // The From address defaults to the application's own domain (an invalid URL is named below).
  const host = URL.canParse(publicUrl) ? new URL(publicUrl).hostname : "localhost";
  const names = {
    smtpUrl: "smtpUrl",
    from: "mailFrom",
    appName: "appName",
    publicUrl: "publicUrl",
  } as const;
  return checkMailOptions(
    {
      ...(values.smtpUrl !== undefined && { smtpUrl: values.smtpUrl }),
      from: values.mailFrom ?? `no-reply@${host}`,
      appName: values.appName,
      publicUrl,
    },
    {
      production,
      problems,
      label: (key) => (key in names ? label(names[key as keyof typeof names]) : key),
    },
  );
}

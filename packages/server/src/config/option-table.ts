/**
 * Every option Baton takes, described once: its environment variables (Baton's name first, then
 * the seed applications' aliases, so a team migrating keeps its `.env`), its kind with default
 * and allowed values, and the one line that opens its row in docs/configuration.md. From this
 * table come the checks and defaults (read-options.ts, for resolve.ts), the environment parsing
 * (env.ts), the refusal of unknown keys, and the docs check (test/unit/docs-sync.test.ts).
 * Rules between options (a TTL longer than another, production requirements, secrets) stay in
 * resolve.ts.
 *
 * To add an option:
 * 1. Add it to `BatonOptions` (options.ts) with its TSDoc, and its resolved form to `BatonConfig`.
 *    A type test (test/unit/config-options.test.ts) fails until this table and BatonOptions
 *    agree, key by key and type by type.
 * 2. Add an entry here in the order you want it checked, with a kind from option-kinds.ts:
 *    `duration(default, min, max)`, `integer(default, min, max)`, `boolean(default)`,
 *    `oneOf(values, default)`, `text({ default, pattern, must })`, or `programValue(...)` for
 *    what only a program can pass. `env: []` when no environment variable sets it.
 * 3. Copy it into `BatonConfig` in resolve.ts (`values.yourOption`): the compiler says where.
 * 4. Add its row to docs/configuration.md: `| \`VARIABLE\` (\`option\`) | aliases | default |
 *    allowed | meaning |`, the meaning opening with `doc`. The docs test prints what it expects.
 * 5. Add its variables to FROM_ENV in test/unit/config-options.test.ts (that test fails until
 *    every variable of this table has a line there).
 * Options that belong together may nest: `group({ ... })` (read-options.ts) takes a table of its
 * own, and its keys are checked and named `group.option`.
 *
 * Why not a JSON Schema (fastify's env-schema, or TypeBox with Ajv, both at hand): env-schema
 * validates one object keyed by variable names, so aliases with precedence, durations with
 * units, and messages naming the alias the user wrote and the fix would all be custom keywords;
 * Ajv's errors name schema paths; and BatonOptions holds what no schema describes (a store, a
 * logger, callbacks). What is taken from fastify is the idea: one description of each option,
 * and no additional properties.
 */
import type { Logger } from "pino";
import type { AuditEvent } from "../audit/audit-log.js";
import type { Clock } from "../clock.js";
import type { Store } from "../store/store.js";
import { isProductionEnv } from "./node-env.js";
import { parseTrustProxy } from "./trust-proxy.js";
import {
  boolean,
  duration,
  integer,
  isGroup,
  oneOf,
  originList,
  programValue,
  text,
  type OptionEntry,
  type OptionTable,
} from "./option-kinds.js";

const isObject = (value: unknown) => typeof value === "object" && value !== null;
const isFunction = (value: unknown) => typeof value === "function";

export const OPTIONS = {
  databaseUrl: {
    env: ["DATABASE_URL"],
    kind: text({
      default: "sqlite:./data/baton.db",
      pattern: /^(sqlite:|postgres(ql)?:\/\/)/,
      must: "must start with sqlite: or postgres://",
      allowedDoc: "`sqlite:<file>`, `sqlite::memory:`, `postgres://…`",
    }),
    doc: "The database.",
  },
  basePath: {
    env: ["BASE_PATH"],
    kind: text({
      default: "/api/auth",
      pattern: /^(\/[A-Za-z0-9._~-]+)+$/,
      must: "must look like /api/auth",
      allowedDoc: "a path like `/api/auth`",
    }),
    doc: "Where the auth routes are mounted (also the refresh cookie's `Path`).",
  },
  redisUrl: {
    env: ["REDIS_URL"],
    kind: text({
      pattern: /^rediss?:\/\//,
      must: "must start with redis:// or rediss://",
      quote: false,
      allowedDoc: "`redis://…`, `rediss://…`",
    }),
    doc: "Redis shared by every instance.",
  },
  revocationPollInterval: {
    env: ["REVOCATION_POLL_INTERVAL"],
    kind: duration("1s", "100ms", "1m"),
    doc: "How often each instance reads new revocations from the database.",
  },
  keyRotationInterval: {
    env: ["KEY_ROTATION_INTERVAL"],
    kind: duration(0, "0s", "3650d", { offOrAtLeast: "1h" }),
    doc: "Rotate the signing key when the active one is this old.",
  },
  metrics: {
    env: ["METRICS"],
    kind: boolean(true),
    doc: "Serve Prometheus metrics at `/metrics`.",
  },
  accessTokenTtl: {
    env: ["ACCESS_TOKEN_TTL", "ACCESS_TOKEN_EXPIRY", "JWT_EXPIRE", "JWT_EXPIRES_IN"],
    kind: duration("15m", "1s", "1d"),
    doc: "Access token lifetime.",
  },
  refreshTokenTtl: {
    env: [
      "REFRESH_TOKEN_TTL",
      "REFRESH_TOKEN_EXPIRY",
      "JWT_REFRESH_EXPIRE",
      "JWT_REFRESH_EXPIRES_IN",
    ],
    kind: duration("7d", "10s", "400d"),
    doc: "Session idle lifetime: each refresh extends the session (and the cookie's `Max-Age`) by this much.",
  },
  sessionMaxLifetime: {
    env: ["SESSION_MAX_LIFETIME"],
    kind: duration("30d", "0s", "3650d"),
    doc: "Absolute cap on a session's age, however often it refreshes; `0` disables.",
  },
  refreshReuseInterval: {
    env: ["REFRESH_REUSE_INTERVAL"],
    kind: duration("10s", "0s", "5m"),
    doc: "Grace window for a just-rotated refresh token (racing tabs, lost responses, retries).",
  },
  refreshRecoveryWindow: {
    env: ["REFRESH_RECOVERY_WINDOW"],
    // Its default, the refresh TTL, is filled in by resolve.ts.
    kind: duration(undefined, "0s", "400d", { defaultDoc: "the refresh token TTL" }),
    doc: "How long after its retirement a refresh token whose successor has never been presented still recovers the session.",
  },
  jwtAlg: {
    env: ["JWT_ALG"],
    kind: oneOf(["EdDSA", "ES256", "RS256", "HS256"], "EdDSA", { refusal: "is not supported" }),
    doc: "Access token signing algorithm.",
  },
  jwtSecret: {
    env: ["JWT_SECRET", "JWT_SECRET_KEY"],
    kind: text(),
    doc: "HS256 only: the shared signing secret.",
  },
  issuer: {
    env: ["JWT_ISSUER"],
    kind: text({ default: "baton" }),
    doc: "`iss` claim, checked on verification.",
  },
  audience: {
    env: ["JWT_AUDIENCE"],
    kind: text({ default: "baton" }),
    doc: "`aud` claim, checked on verification.",
  },
  clockTolerance: {
    env: ["JWT_CLOCK_TOLERANCE"],
    kind: duration("5s", "0s", "5m"),
    doc: "Leeway for `exp`, `nbf` and `iat` checks.",
  },
  secret: {
    env: ["BATON_SECRET", "JWT_REFRESH_SECRET", "JWT_REFRESH_SECRET_KEY"],
    kind: text({ defaultDoc: "generated (development)" }),
    doc: "Root secret.",
  },
  secretFile: {
    env: [],
    // Its default, beside the SQLite file, is filled in by resolve.ts.
    kind: text({ defaultDoc: "`baton.secret` beside the SQLite file" }),
    doc: "Development only: where a generated root secret is kept.",
  },
  corsOrigins: {
    env: ["CORS_ORIGINS", "FRONTEND_URL"],
    kind: originList({
      pattern: /^https?:\/\/[^/\s]+$/,
      must: "must be an origin like https://app.example.com (no wildcard: credentials are involved)",
      allowedDoc: "origins, comma-separated",
    }),
    doc: "Origins allowed to call the API with credentials, and to send cookie requests.",
  },
  cookieName: {
    env: ["COOKIE_NAME"],
    // Its default depends on the mode: filled in by resolve.ts.
    kind: text({
      defaultDoc: "`refresh_token`; `__Secure-refresh_token` in production",
      pattern: /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/,
      must: "is not a valid cookie name",
      allowedDoc: "a cookie name",
    }),
    doc: "Refresh cookie name.",
  },
  cookieSameSite: {
    env: ["COOKIE_SAMESITE"],
    kind: oneOf(["strict", "lax", "none"], "strict", { caseless: true }),
    doc: "The refresh cookie's `SameSite`.",
  },
  cookieSecure: {
    env: ["COOKIE_SECURE"],
    // Its default depends on the mode: filled in by resolve.ts.
    kind: boolean(undefined, { defaultDoc: "`true` in production, else `false`" }),
    doc: "The refresh cookie's `Secure` attribute.",
  },
  loginMaxFailures: {
    env: ["LOGIN_MAX_FAILURES"],
    kind: integer(5, 1, 1000),
    doc: "Wrong passwords allowed per budget and `LOGIN_LOCKOUT` window.",
  },
  loginMaxFailuresPerIp: {
    env: ["LOGIN_MAX_FAILURES_PER_IP"],
    kind: integer(50, 1, 100_000),
    doc: "Wrong passwords per client address from clients without the account's device cookie.",
  },
  loginLockout: {
    env: ["LOGIN_LOCKOUT"],
    kind: duration("15m", "1s", "1d"),
    doc: "Window of these budgets.",
  },
  authRateLimit: {
    env: ["AUTH_RATE_LIMIT"],
    kind: integer(60, 0, 1_000_000),
    doc: "Per client address and minute: refused requests to the auth routes (wrong password, dead refresh token, bad Bearer token, invalid input) plus every registration; `0` disables.",
  },
  sessionRateLimit: {
    env: ["SESSION_RATE_LIMIT"],
    kind: integer(600, 0, 1_000_000),
    doc: "Per session and minute: requests to the auth routes that take a Bearer token; `0` disables.",
  },
  rateLimitIpv6Prefix: {
    env: ["RATE_LIMIT_IPV6_PREFIX"],
    // A prefix shorter than /32 would lump a whole provider together; /128 counts each address.
    kind: integer(64, 32, 128),
    doc: "Address-keyed limits count an IPv6 client by its network of this many bits.",
  },
  bodyLimit: {
    env: ["BODY_LIMIT"],
    kind: integer(16_384, 1024, 1_048_576),
    doc: "Largest request body in bytes.",
  },
  publicUrl: {
    env: ["PUBLIC_URL", "APP_URL"],
    // Its development default is filled in by resolve.ts; mail-options.ts checks the URL.
    kind: text({
      defaultDoc: "`http://localhost:3000/` in development",
      allowedDoc: "an http(s) URL; https in production",
    }),
    doc: "The application's public URL: every link in a mail is built from it, never from a request's `Host`.",
  },
  appName: {
    env: ["APP_NAME"],
    kind: text({ default: "Baton" }),
    doc: "The application's name, shown in every mail.",
  },
  smtpUrl: {
    env: ["SMTP_URL"],
    kind: text({
      pattern: /^smtps?:\/\//,
      must: "must start with smtp:// or smtps://",
      quote: false,
      defaultDoc: "— (development: the development inbox)",
      allowedDoc: "`smtp://user:password@host:587`, `smtps://…:465`",
    }),
    doc: "Where mail goes. Without it, production has no mail features and development keeps mail in the development inbox.",
  },
  mailFrom: {
    env: ["MAIL_FROM"],
    // Its default depends on the public URL: filled in by resolve.ts.
    kind: text({
      defaultDoc: "`no-reply@` the public URL's host",
      allowedDoc: "an address, or `Name <address>`",
    }),
    doc: "The From address of Baton's mail.",
  },
  passwordResetTtl: {
    env: ["PASSWORD_RESET_TTL"],
    kind: duration("30m", "1m", "1d"),
    doc: "How long a password-reset link and code work (one use; a newer request or any password change ends them sooner).",
  },
  emailVerification: {
    env: ["EMAIL_VERIFICATION"],
    kind: oneOf(["optional", "required"], "optional", { caseless: true }),
    doc: "Whether sign-in waits for a verified address.",
  },
  webhookUrl: {
    env: ["WEBHOOK_URL"],
    kind: text({
      pattern: /^https?:\/\/[^\s]+$/,
      must: "must be an http(s) URL",
      quote: false,
      allowedDoc: "an http(s) URL; https in production",
    }),
    doc: "Where security events are POSTed (user created, new-device sign-in, password changed or reset, email changed, refresh-token reuse, session revoked).",
  },
  webhookSecret: {
    env: ["WEBHOOK_SECRET"],
    kind: text({ allowedDoc: "a random secret of 32+ bytes (`baton secret`)" }),
    doc: "Signs each webhook (`Baton-Signature: t=…,v1=…`, HMAC-SHA256). Required with `WEBHOOK_URL`.",
  },
  geoipDatabase: {
    env: ["GEOIP_DATABASE"],
    kind: text({ allowedDoc: "a path to a MaxMind DB file (`.mmdb`)" }),
    doc: "A GeoIP City or Country database: new-device alerts then name an approximate location. Needs the `maxmind` package.",
  },
  adminEmail: {
    env: ["ADMIN_EMAIL"],
    kind: text(),
    doc: "With `ADMIN_PASSWORD`: at start, make sure this account exists and has the `admin` role.",
  },
  adminPassword: {
    env: ["ADMIN_PASSWORD"],
    kind: text(),
    doc: "See `ADMIN_EMAIL`.",
  },
  production: {
    env: ["NODE_ENV"],
    // resolveConfig reads no environment: there the mode defaults to development (false).
    kind: {
      ...boolean(false, { defaultDoc: "development" }),
      fromEnv: (raw: string) => ({ value: isProductionEnv({ NODE_ENV: raw }) }),
      allowedDoc: "any",
    },
    doc: "Production mode: the production checks and defaults below.",
  },
  logger: {
    env: [],
    kind: programValue<Logger | false>(
      "a pino logger or `false`",
      (value) => value === false || isObject(value),
    ),
    doc: "The logger.",
  },
  logLevel: {
    env: ["LOG_LEVEL"],
    kind: text({ default: "info", allowedDoc: "`fatal` … `trace`, `silent`" }),
    doc: "pino level.",
  },
  onAuditEvent: {
    env: [],
    kind: programValue<(event: AuditEvent) => void>("a function", isFunction),
    doc: "Called with every audit event after it is recorded.",
  },
  clock: {
    env: [],
    kind: programValue<Clock>("`{ now(): number }`", isObject),
    doc: "Time source, for tests.",
  },
  store: {
    env: [],
    kind: programValue<Store>("a `Store`", isObject),
    doc: "A ready store instead of `databaseUrl`.",
  },
} as const satisfies OptionTable;

/**
 * The standalone server's options (`startServer`, `baton serve`) besides Baton's: they never reach
 * createBaton, which refuses them like any unknown key.
 */
export const SERVER_OPTIONS = {
  port: {
    env: ["PORT"],
    kind: integer(3000, 0, 65_535),
    doc: "TCP port (`0` picks a free one).",
  },
  host: {
    env: ["HOST"],
    kind: text({ default: "0.0.0.0" }),
    doc: "Interface to listen on.",
  },
  trustProxy: {
    env: ["TRUST_PROXY"],
    kind: {
      ...programValue<boolean | number | string[]>(
        "`true`, `false`, a hop count, or addresses/CIDRs, comma-separated",
        (value) => ["boolean", "number"].includes(typeof value) || Array.isArray(value),
      ),
      fromEnv: (raw: string) => ({ value: parseTrustProxy(raw) }),
      defaultDoc: "`false`",
    },
    doc: "Which proxies may set `X-Forwarded-For`/`-Proto`.",
  },
  configure: {
    env: [],
    // Typed in server.ts: the configuration layer knows neither Fastify nor Baton.
    kind: programValue<unknown>("a function", isFunction),
    doc: "Mounts your own routes or static files on the app before it listens.",
  },
  optionNames: {
    env: [],
    kind: programValue<Partial<Record<keyof typeof OPTIONS, string>>>("an object", isObject),
    doc: "The names the user wrote for each option (environment variables), for messages.",
  },
} as const satisfies OptionTable;

/** Every option of a table as `[key, entry]`, a group's as `["group.key", entry]`. */
export function entriesOf(table: OptionTable, path = ""): [string, OptionEntry][] {
  return Object.entries(table).flatMap(([key, entry]): [string, OptionEntry][] =>
    isGroup(entry.kind) ? entriesOf(entry.kind.table, `${path + key}.`) : [[path + key, entry]],
  );
}

/** Every environment variable a table reads, groups included. */
export function variablesOf(table: OptionTable): string[] {
  return entriesOf(table).flatMap(([, entry]) => entry.env);
}

import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { AuditEvent } from "../audit/audit-log.js";
import type { Store } from "../store/store.js";
import type { ResolvedMailOptions } from "./mail-options.js";

/** A duration: seconds as a number, or a string such as `"900"`, `"15m"`, `"2s"`, `"7d"`. */
export type Duration = number | string;

export type SameSite = "strict" | "lax" | "none";

/**
 * Everything Baton can be told. All optional: the defaults are a safe development setup on an
 * embedded SQLite file. Environment variables map onto these (see docs/configuration.md). Each
 * option's variables, default and range live in option-table.ts (a type test keeps the two
 * equal); a key not listed here is refused at startup.
 */
export interface BatonOptions {
  /** `sqlite:./data/baton.db` (default), `sqlite::memory:`. */
  databaseUrl?: string;
  /**
   * `redis://host:6379`: rate-limit counters shared by all instances, and revocations / key
   * rotations announced to them at once. Without it each instance counts alone and learns of
   * other instances' revocations by polling the database.
   */
  redisUrl?: string;
  /** How often each instance reads new revocations from the database. Default 1s. */
  revocationPollInterval?: Duration;
  /** Rotate the signing key automatically when the active one is this old. Default 0 (never). */
  keyRotationInterval?: Duration;
  /** Serve Prometheus metrics at `/metrics`. Default true. */
  metrics?: boolean;
  /** A ready store instead of `databaseUrl` (for tests and custom databases). */
  store?: Store;
  /** Where the auth routes are mounted. Default `/api/auth`. */
  basePath?: string;
  /** Access token lifetime. Default 15m. */
  accessTokenTtl?: Duration;
  /** Refresh token (session idle) lifetime; every refresh extends it. Default 7d. */
  refreshTokenTtl?: Duration;
  /** Hard cap on a session's age however often it refreshes. Default 30d; 0 disables. */
  sessionMaxLifetime?: Duration;
  /** Grace window for a just-retired refresh token. Default 10s. */
  refreshReuseInterval?: Duration;
  /**
   * How long after its retirement a refresh token whose successor was never presented still
   * recovers the session (a device that lost the answer of its last refresh, then went offline).
   * Default: the refresh TTL; 0 turns recovery off (such a token is reuse after the grace window).
   */
  refreshRecoveryWindow?: Duration;
  /**
   * Access token algorithm. Default EdDSA; ES256 and RS256 for verifiers without Ed25519: a key
   * ring kept in the store. HS256 signs with `jwtSecret`. Changing it rotates at the next start.
   */
  jwtAlg?: "EdDSA" | "ES256" | "RS256" | "HS256";
  /**
   * HS256 only: the shared signing secret. At least 32 bytes, not guessable (no placeholder, no
   * repeats or keyboard runs; `baton secret` makes one), and not the root secret. Given without
   * `jwtAlg: "HS256"`, startup stops rather than ignore it.
   */
  jwtSecret?: string;
  /** `iss` claim. Default `baton`. */
  issuer?: string;
  /** `aud` claim. Default `baton`. */
  audience?: string;
  /** Leeway for `exp`/`nbf`/`iat` checks. Default 5s. */
  clockTolerance?: Duration;
  /**
   * Root secret (32+ bytes, not guessable: `baton secret` makes one) from which the refresh-token
   * key and the key that seals private signing keys at rest are derived. Required in production;
   * in development it is generated and kept in `secretFile`.
   */
  secret?: string;
  /** Development only: where a generated root secret is kept. Default beside the SQLite file. */
  secretFile?: string;
  /** Origins allowed to call the API with credentials (CORS) and to send cookie requests (CSRF). */
  corsOrigins?: string[];
  /** Refresh cookie name. Default `refresh_token`, `__Secure-refresh_token` in production. */
  cookieName?: string;
  /** Default `strict`. */
  cookieSameSite?: SameSite;
  /** Default true in production, false otherwise (plain-http localhost). */
  cookieSecure?: boolean;
  /**
   * Wrong passwords per budget and `loginLockout` window: per account from clients that never
   * signed in to it, per device that did (device cookie), per session at `/password`. Default 5.
   */
  loginMaxFailures?: number;
  /** Wrong passwords per client address before a lockout (many users may share one NAT). Default 50. */
  loginMaxFailuresPerIp?: number;
  /** Window of the wrong-password budgets and lockouts. Default 15m. */
  loginLockout?: Duration;
  /**
   * Per client address and minute: refused requests to the auth routes (a wrong password, a dead
   * refresh token, a bad Bearer token) plus every registration. Successful sign-ins, refreshes
   * and signed-in requests never count here, so an office behind one NAT does not share it.
   * Default 60; 0 disables.
   */
  authRateLimit?: number;
  /**
   * Per session and minute: requests to the auth routes that need a Bearer token (`/me`,
   * `/sessions`, ...). Default 600 (10 per second, every tab of a browser sharing it); 0 disables.
   */
  sessionRateLimit?: number;
  /** Address-keyed limits count an IPv6 client by its network of this many bits. Default 64. */
  rateLimitIpv6Prefix?: number;
  /** Largest accepted request body in bytes. Default 16384. */
  bodyLimit?: number;
  /**
   * The application's public URL (`https://app.example.com/`, a path allowed). Every link Baton
   * mails (password reset, email verification, alerts) is built from it, never from a request's
   * `Host` header, which the client chooses. Required with `smtpUrl` in production (https);
   * default `http://localhost:3000/` in development.
   */
  publicUrl?: string;
  /** The application's name, shown in every mail. Default `Baton`. */
  appName?: string;
  /**
   * `smtp://user:password@host:587` (STARTTLS) or `smtps://user:password@host:465`. Without it,
   * production has no mail features (password reset, verification and alerts answer
   * FEATURE_DISABLED) and development keeps mail in the development inbox.
   */
  smtpUrl?: string;
  /** The From address: `no-reply@example.com` or `Example <no-reply@example.com>`. Default `no-reply@` the public URL's host. */
  mailFrom?: string;
  /** How long a password-reset link and code work, e.g. `"30m"` (the default). */
  passwordResetTtl?: Duration;
  /**
   * `optional` (default): unverified users sign in, their access tokens say
   * `email_verified: false` (guard routes with `requireVerifiedEmail()`). `required`: sign-in is
   * refused (403 EMAIL_NOT_VERIFIED) until the address is verified; needs mail.
   */
  emailVerification?: "optional" | "required";
  /**
   * Where security events are POSTed as JSON (docs/webhooks.md), from the outbox, with retries.
   * https in production. Requires `webhookSecret`.
   */
  webhookUrl?: string;
  /** Signs each webhook body with a timestamp (`Baton-Signature: t=…,v1=…`, HMAC-SHA256). */
  webhookSecret?: string;
  /**
   * A MaxMind DB file (GeoLite2/GeoIP2 City or Country, `.mmdb`): new-device alerts name the
   * approximate location of the address. Needs the optional `maxmind` package.
   */
  geoipDatabase?: string;
  /** Ensure this admin account exists at start (with `adminPassword`). */
  adminEmail?: string;
  adminPassword?: string;
  /**
   * Production mode: stricter startup checks and defaults. `createBaton`/`startServer` default it
   * from NODE_ENV like `baton serve`: production unless NODE_ENV is unset, `development` or
   * `test`. `resolveConfig` reads no environment: there it defaults to false.
   */
  production?: boolean;
  /** pino logger, or false for silence. Default: a pino logger at `logLevel`. */
  logger?: Logger | false;
  /** Default `info`. */
  logLevel?: string;
  /** Called with every audit event after it is recorded. */
  onAuditEvent?: (event: AuditEvent) => void;
  /** Time source. Default the system clock. */
  clock?: Clock;
}

/** Options after validation: every value present, durations in milliseconds, frozen. */
export interface BatonConfig {
  readonly databaseUrl: string;
  readonly basePath: string;
  readonly redisUrl: string | undefined;
  readonly revocationPollIntervalMs: number;
  readonly keyRotationIntervalMs: number;
  readonly metrics: boolean;
  readonly accessTokenTtlMs: number;
  readonly refreshTokenTtlMs: number;
  readonly sessionMaxLifetimeMs: number;
  readonly refreshReuseIntervalMs: number;
  /** 0 = recovery off. */
  readonly refreshRecoveryWindowMs: number;
  readonly jwtAlg: "EdDSA" | "ES256" | "RS256" | "HS256";
  readonly jwtSecret: string | undefined;
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceMs: number;
  readonly secret: string | undefined;
  readonly secretFile: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly cookieName: string;
  readonly cookieSameSite: SameSite;
  readonly cookieSecure: boolean;
  readonly loginMaxFailures: number;
  readonly loginMaxFailuresPerIp: number;
  readonly loginLockoutMs: number;
  readonly authRateLimit: number;
  readonly sessionRateLimit: number;
  readonly rateLimitIpv6Prefix: number;
  readonly bodyLimit: number;
  /**
   * The mailer's options; null when Baton sends no mail (production without `smtpUrl`): the
   * flows that need mail answer FEATURE_DISABLED.
   */
  readonly mail: ResolvedMailOptions | null;
  readonly passwordResetTtlMs: number;
  readonly emailVerification: "optional" | "required";
  /** Where security events go, and the key that signs them; null when no webhook is set. */
  readonly webhook: { readonly url: string; readonly secret: string } | null;
  readonly geoipDatabase: string | undefined;
  readonly adminEmail: string | undefined;
  readonly adminPassword: string | undefined;
  readonly production: boolean;
  readonly logLevel: string;
}

import type { Logger } from "pino";
import type { DeferredWork } from "./deferred-work.js";
import type { MailDeliveryWorker } from "./mail/delivery-worker.js";
import type { Mailer } from "./mail/mailer.js";
import type { AuditLog } from "./audit/audit-log.js";
import type { Clock } from "./clock.js";
import type { BatonConfig } from "./config/options.js";
import type { PasswordHasher } from "./passwords/password-hasher.js";
import type { Metrics } from "./metrics/metrics.js";
import type { LoginThrottle } from "./rate-limit/login-throttle.js";
import type { RateLimiter } from "./rate-limit/rate-limiter.js";
import type { Denylist } from "./revocation/denylist.js";
import type { RevocationFeed } from "./revocation/revocation-feed.js";
import type { Store } from "./store/store.js";
import type { AccessTokens } from "./tokens/access-token.js";
import type { ProfileCache } from "./users/profile-cache.js";

/**
 * What the core operations work with. No HTTP, no framework, no environment: adapters build a
 * request into plain arguments, call an operation, and map its result or AuthError back.
 */
export interface Core {
  readonly config: BatonConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly accessTokens: AccessTokens;
  readonly refreshTokenKey: Buffer;
  /** Seals private signing keys stored in the database. */
  readonly keySealingKey: Buffer;
  /** Keys the hashes of mailed links and codes (account-tokens/). */
  readonly accountTokenKey: Buffer;
  /**
   * Mail for the account flows: compose into the outbox, then wake the worker. Null when Baton
   * sends no mail (production without SMTP_URL): those flows answer FEATURE_DISABLED.
   */
  readonly mail: { readonly mailer: Mailer; readonly worker: MailDeliveryWorker } | null;
  /**
   * The approximate place of an IP address, when a GeoIP database is configured (geoip/); the
   * new-device alert names it. Absent otherwise.
   */
  readonly locate?: (ip: string) => string | null;
  readonly denylist: Denylist;
  readonly revocations: RevocationFeed;
  /** User records `/me` answers from (users/profile-cache.ts: how they never go stale). */
  readonly profiles: ProfileCache;
  readonly passwords: PasswordHasher;
  readonly loginThrottle: LoginThrottle;
  readonly rateLimiter: RateLimiter;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  /** Work started after an answer is decided, not waited for by it (deferred-work.ts). */
  readonly deferred: DeferredWork;
}

/** Who a verified access token speaks for; what `requireAuth` puts on the request. */
export type { AuthInfo } from "@baton/verify/kernel";

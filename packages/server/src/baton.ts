import { randomUUID } from "node:crypto";
import { pino, type Logger } from "pino";
import { createLogger } from "./logging.js";
import type { JWK } from "jose";
import { ensureAdmin } from "./accounts/ensure-admin.js";
import { AuditLog } from "./audit/audit-log.js";
import { systemClock, type Clock } from "./clock.js";
import type { BatonConfig, BatonOptions } from "./config/options.js";
import { isProductionEnv } from "./config/env.js";
import { productionWarnings } from "./config/production-warnings.js";
import { resolveConfig } from "./config/resolve.js";
import type { AuthInfo, Core } from "./core.js";
import { createGuard, type Guard } from "./require-auth.js";
import { createRequestPipeline } from "./http/request-pipeline.js";
import { setInternals } from "./baton-internals.js";
import { allRoutes } from "./http/routes/all-routes.js";
import { PasswordHasher } from "./passwords/password-hasher.js";
import { LoginThrottle } from "./rate-limit/login-throttle.js";
import { MemoryRateLimiter, type RateLimiter } from "./rate-limit/rate-limiter.js";
import { startBackgroundJobs } from "./maintenance/background-jobs.js";
import { Metrics } from "./metrics/metrics.js";
import { localBus, type ClusterBus } from "./cluster/cluster-bus.js";
import { loadOptional } from "./optional-package.js";
import {
  reloadSigningKeys,
  rotateSigningKey,
  type SigningKeyInfo,
} from "./maintenance/key-rotation.js";
import { Denylist } from "./revocation/denylist.js";
import { RevocationFeed } from "./revocation/revocation-feed.js";
import { ProfileCache } from "./users/profile-cache.js";
import { loadRootSecret } from "./secrets/root-secret.js";
import { authenticate } from "./sessions/authenticate.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/store.js";
import { AccessTokens } from "./tokens/access-token.js";
import { KeyRing } from "./tokens/key-ring.js";
import { symmetricKey } from "./tokens/signing-key.js";
import { loadKeyRing } from "./tokens/stored-key-ring.js";
import { DeferredWork } from "./deferred-work.js";
import {
  MailDeliveryWorker,
  OutboxDeliveryWorker,
  type DeliveryPass,
} from "./mail/delivery-worker.js";
import { webhookCourier } from "./webhooks/webhook-courier.js";
import { openGeoIp } from "./geoip/geoip-locator.js";
import { webhookMessages } from "./webhooks/webhook-event.js";
import { DevelopmentInbox } from "./mail/development-inbox.js";
import { Mailer } from "./mail/mailer.js";
import type { MailTransport } from "./mail/mail-transport.js";
import { SmtpTransport } from "./smtp/smtp-transport.js";

export interface Baton {
  readonly config: BatonConfig;
  readonly store: Store;
  readonly logger: Logger;
  /** Guard for your own routes (Fastify preHandler or Express middleware); sets `request.auth`. */
  requireAuth(): Guard;
  /** Like `requireAuth()`, and the user must have at least one of `roles` (else 403 FORBIDDEN). */
  requireRole(...roles: string[]): Guard;
  /**
   * Like `requireAuth()`, and the access token must say the address is verified
   * (`email_verified`), else 403 EMAIL_NOT_VERIFIED.
   */
  requireVerifiedEmail(): Guard;
  /** Verifies an `Authorization` header value; throws AuthError. For sockets and custom adapters. */
  authenticate(authorization: string | undefined): Promise<AuthInfo>;
  /** The public JSON Web Key Set. */
  jwks(): { keys: JWK[] };
  /** Starts signing with a new key of JWT_ALG; tokens signed by the old one verify until they expire. */
  rotateKeys(): Promise<SigningKeyInfo>;
  /** What this start created (for the development banner). */
  readonly startup: StartupReport;
  /**
   * Baton's outgoing mail; null when it sends none (production without `smtpUrl`). `inbox` is the
   * development inbox (development without `smtpUrl`): the mail a newcomer clicks through.
   * `deliverDue()` sends what is due now, once the work answered requests left running (which
   * may queue mail) has finished (delivery also runs every 5 s and after each change).
   */
  readonly mail: {
    readonly inbox: DevelopmentInbox | null;
    deliverDue(): Promise<DeliveryPass>;
  } | null;
  /**
   * The webhook of security events; null when `webhookUrl` is not set. `deliverDue()` sends what
   * is due now (delivery also runs every 5 s and after each event).
   */
  readonly webhooks: { deliverDue(): Promise<DeliveryPass> } | null;
  /** Stops background work and closes the store (if Baton opened it). */
  close(): Promise<void>;
}

export interface StartupReport {
  secret: "option" | "file" | "memory";
  secretGeneratedAt?: string;
  signingKeyGenerated?: string;
  signingKeyId: string;
  admin?: "created" | "promoted" | "unchanged";
}

/**
 * Creates a Baton instance: validates options, opens the store (running migrations), loads or
 * creates the signing keys, and rebuilds the revocation denylist.
 *
 * @example
 * const baton = await createBaton({ databaseUrl: "sqlite:./data/baton.db" });
 * await app.register(batonFastify(baton)); // from "@baton/server/fastify"
 * app.get("/api/todos", { preHandler: baton.requireAuth() }, (request) => todosOf(request.auth!.userId));
 */
export async function createBaton(
  options: BatonOptions = {},
  optionNames?: Parameters<typeof resolveConfig>[1],
): Promise<Baton> {
  // An embedder that does not say gets the same rule as `baton serve`: NODE_ENV decides.
  const config = resolveConfig(
    { ...options, production: options.production ?? isProductionEnv(process.env) },
    optionNames,
  );
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger === false
      ? pino({ enabled: false })
      : (options.logger ?? createLogger(config.logLevel));
  for (const warning of productionWarnings(config, optionNames)) {
    logger.warn(`PRODUCTION WARNING: ${warning}`);
  }
  const rootSecret = loadRootSecret(config.secret, config.secretFile);
  const ownsStore = options.store === undefined;
  const store = options.store ?? (await openStore(config.databaseUrl));
  // Undone in reverse order of creation by close() (or when startup fails half-way).
  const closers: (() => Promise<void> | void)[] = ownsStore ? [() => store.close()] : [];

  try {
    const accessSettings = {
      issuer: config.issuer,
      audience: config.audience,
      ttlMs: config.accessTokenTtlMs,
      clockToleranceMs: config.clockToleranceMs,
    };
    const verifyForMs = config.accessTokenTtlMs + config.clockToleranceMs;
    const loaded =
      config.jwtAlg === "HS256"
        ? { ring: new KeyRing([symmetricKey(config.jwtSecret ?? "", clock.now())]) }
        : await loadKeyRing(
            store,
            rootSecret.keys.keySealingKey,
            config.jwtAlg,
            clock.now(),
            verifyForMs,
            true,
          );
    const accessTokens = new AccessTokens(loaded.ring, accessSettings, clock);
    const { rateLimiter, bus } = await coordination(config.redisUrl, clock, logger);
    // A key made at this start (first start, or JWT_ALG changed): the others load it at once.
    if ("generatedKid" in loaded) await bus.publish("keys").catch(() => undefined);
    closers.push(
      () => bus.close(),
      () => rateLimiter.close(),
    );
    const denylist = new Denylist();
    const profiles = new ProfileCache(clock, config.revocationPollIntervalMs);
    const revocations = new RevocationFeed(store, denylist, clock, bus, logger, [
      (record) => profiles.applyRevocation(record),
    ]);
    await revocations.catchUp();
    const metrics = new Metrics();
    const mail = startMail(config, store, clock, metrics, logger, options.logger !== false);
    if (mail !== null) closers.push(() => mail.close());
    const webhooks = startWebhooks(config, store, clock, metrics, logger);
    if (webhooks !== null) closers.push(() => webhooks.stop());
    const passwords = new PasswordHasher();
    closers.push(() => passwords.close());
    // Closed first (closers run in reverse): what an answered request left running finishes
    // while the store, the mailer and the hashing threads are still open.
    const deferred = new DeferredWork(logger);
    closers.push(() => deferred.settled());
    const core: Core = {
      config,
      store,
      clock,
      logger,
      accessTokens,
      refreshTokenKey: rootSecret.keys.refreshTokenKey,
      keySealingKey: rootSecret.keys.keySealingKey,
      accountTokenKey: rootSecret.keys.accountTokenKey,
      mail: mail && { mailer: mail.mailer, worker: mail.worker },
      ...(config.geoipDatabase !== undefined && {
        locate: await openGeoIp(config.geoipDatabase),
      }),
      denylist,
      revocations,
      profiles,
      passwords,
      rateLimiter,
      loginThrottle: new LoginThrottle(
        rateLimiter,
        {
          maxFailures: config.loginMaxFailures,
          maxFailuresPerAddress: config.loginMaxFailuresPerIp,
          windowMs: config.loginLockoutMs,
          ipv6PrefixBits: config.rateLimitIpv6Prefix,
        },
        clock,
        rootSecret.keys.deviceCookieKey,
      ),
      audit: new AuditLog(
        store,
        logger,
        clock,
        (event) => {
          metrics.audit(event);
          options.onAuditEvent?.(event);
        },
        webhooks === null ? undefined : (event) => webhookMessages(event, randomUUID),
        () => void webhooks?.deliverDue(),
      ),
      metrics,
      deferred,
    };
    accessTokens.onUnknownKey(() => reloadSigningKeys(core));
    const admin =
      config.adminEmail && config.adminPassword
        ? await ensureAdmin(core, config.adminEmail, config.adminPassword)
        : undefined;

    closers.push(startBackgroundJobs(core, bus));

    const routes = allRoutes();
    const pipeline = createRequestPipeline(core, routes);
    const startup: StartupReport = {
      secret: rootSecret.source,
      signingKeyId: loaded.ring.active.kid,
      ...(rootSecret.generatedAt !== undefined && { secretGeneratedAt: rootSecret.generatedAt }),
      ...("generatedKid" in loaded &&
        loaded.generatedKid !== undefined && { signingKeyGenerated: loaded.generatedKid }),
      ...(admin !== undefined && { admin }),
    };
    let closed = false;
    const baton: Baton = {
      config,
      store,
      logger,
      startup,
      mail: mail && {
        inbox: mail.inbox,
        async deliverDue() {
          // What answered requests left running may still queue mail (a reset request's): it
          // finishes first. A pass already under way may have claimed before that mail
          // committed; the second pass starts after it and takes it.
          await deferred.settled();
          const first = await mail.worker.deliverDue();
          const second = await mail.worker.deliverDue();
          return {
            sent: first.sent + second.sent,
            retried: first.retried + second.retried,
            failed: first.failed + second.failed,
          };
        },
      },
      webhooks: webhooks && { deliverDue: () => webhooks.deliverDue() },
      requireAuth: () => createGuard(core, { roles: [] }),
      requireRole: (...roles) => createGuard(core, { roles }),
      requireVerifiedEmail: () => createGuard(core, { roles: [], verifiedEmail: true }),
      authenticate: (authorization) => authenticate(core, authorization),
      jwks: () => accessTokens.keyRing.jwks(clock.now(), accessTokens.verifyForMs),
      async rotateKeys() {
        const rotated = await rotateSigningKey(core);
        await bus.publish("keys").catch(() => undefined);
        return rotated;
      },
      async close() {
        if (closed) return;
        closed = true;
        await closeAll(closers);
      },
    };
    setInternals(baton, { core, routes, pipeline, closeWith: (close) => closers.push(close) });
    return baton;
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/**
 * The mailer and its delivery worker, polling every 5 s (each change that writes mail also wakes
 * it). Mail goes over SMTP when configured, else (development only: resolve.ts refuses
 * production without SMTP) to the development inbox, which prints one line per message with its
 * link, unless the logger is off (tests).
 */
function startMail(
  config: BatonConfig,
  store: Store,
  clock: Clock,
  metrics: Metrics,
  logger: Logger,
  print: boolean,
) {
  if (config.mail === null) return null;
  const { smtpUrl, from } = config.mail;
  let inbox: DevelopmentInbox | null = null;
  let transport: MailTransport;
  if (smtpUrl === null) transport = inbox = new DevelopmentInbox(print ? {} : { print: () => {} });
  else transport = new SmtpTransport({ url: smtpUrl, from });
  const worker = new MailDeliveryWorker({ store, transport, clock, metrics, logger });
  worker.start();
  return {
    mailer: new Mailer(config.mail, clock),
    worker,
    inbox,
    async close() {
      await worker.stop();
      await transport.close();
    },
  };
}

/**
 * The webhook worker: the outbox's `webhook` messages, with mail's leases and back-off, polling
 * every 5 s (each event also wakes it).
 */
function startWebhooks(
  config: BatonConfig,
  store: Store,
  clock: Clock,
  metrics: Metrics,
  logger: Logger,
): OutboxDeliveryWorker | null {
  if (config.webhook === null) return null;
  const courier = webhookCourier(config.webhook, clock);
  const worker = new OutboxDeliveryWorker({ store, courier, clock, metrics, logger });
  worker.start();
  return worker;
}

/** Redis when configured (shared limits, announcements between instances), else in-process. */
async function coordination(
  redisUrl: string | undefined,
  clock: Clock,
  logger: Logger,
): Promise<{ rateLimiter: RateLimiter; bus: ClusterBus }> {
  if (redisUrl === undefined) return { rateLimiter: new MemoryRateLimiter(clock), bus: localBus };
  // ioredis is an optional peer dependency: loaded only when REDIS_URL is set.
  const { connectRedis, tryConnect, redisBus, RedisRateLimiter } = await loadOptional(
    "ioredis",
    "REDIS_URL",
    () => import("./redis/redis-driver.js"),
  );
  const publisher = connectRedis(redisUrl);
  const subscriber = connectRedis(redisUrl);
  const [up] = await Promise.all([tryConnect(publisher), tryConnect(subscriber)]);
  if (!up) logger.warn("Redis is not reachable yet: rate-limited routes answer 503 until it is");
  return {
    rateLimiter: new RedisRateLimiter(publisher, clock),
    bus: redisBus(publisher, subscriber),
  };
}

async function closeAll(closers: (() => Promise<void> | void)[]): Promise<void> {
  for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
}

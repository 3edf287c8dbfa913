import { pino, type Logger } from "pino";
import type { FastifyPluginAsync } from "fastify";
import type { JWK } from "jose";
import { ensureAdmin } from "./accounts/ensure-admin.js";
import { AuditLog } from "./audit/audit-log.js";
import { systemClock } from "./clock.js";
import type { BatonConfig, BatonOptions } from "./config/options.js";
import { resolveConfig } from "./config/resolve.js";
import type { AuthInfo, Core } from "./core.js";
import { createExpressMiddleware, type NodeMiddleware } from "./express/express-middleware.js";
import { createFastifyPlugin } from "./fastify/fastify-plugin.js";
import { createGuard, type Guard } from "./http/guard.js";
import { createRequestPipeline } from "./http/request-pipeline.js";
import { allRoutes } from "./http/routes/all-routes.js";
import { PasswordHasher } from "./passwords/password-hasher.js";
import { LoginThrottle } from "./rate-limit/login-throttle.js";
import { MemoryRateLimiter } from "./rate-limit/rate-limiter.js";
import { Denylist } from "./revocation/denylist.js";
import { RevocationFeed } from "./revocation/revocation-feed.js";
import { loadRootSecret } from "./secrets/root-secret.js";
import { authenticate } from "./sessions/authenticate.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/store.js";
import { AccessTokens } from "./tokens/access-token.js";
import { KeyRing, loadEd25519Ring, symmetricKey } from "./tokens/key-ring.js";

/** How often expired sessions, tokens and revocations are purged. */
const PURGE_INTERVAL_MS = 10 * 60_000;

export interface Baton {
  readonly config: BatonConfig;
  readonly store: Store;
  readonly logger: Logger;
  /** The framework-free core, for adapters and advanced use. */
  readonly core: Core;
  /** Fastify plugin: `app.register(baton.fastify)` mounts the auth routes, JWKS and health check. */
  readonly fastify: FastifyPluginAsync;
  /** Express/Connect middleware with the same routes: `app.use(baton.express())`. */
  express(): NodeMiddleware;
  /** Guard for your own routes (Fastify preHandler or Express middleware); sets `request.auth`. */
  requireAuth(): Guard;
  /** Like `requireAuth()`, and the user must have at least one of `roles` (else 403 FORBIDDEN). */
  requireRole(...roles: string[]): Guard;
  /** Verifies an `Authorization` header value; throws AuthError. For sockets and custom adapters. */
  authenticate(authorization: string | undefined): Promise<AuthInfo>;
  /** The public JSON Web Key Set. */
  jwks(): { keys: JWK[] };
  /** What this start created (for the development banner). */
  readonly startup: StartupReport;
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
 * await app.register(baton.fastify);
 * app.get("/api/todos", { preHandler: baton.requireAuth() }, (request) => todosOf(request.auth!.userId));
 */
export async function createBaton(
  options: BatonOptions = {},
  optionNames?: Parameters<typeof resolveConfig>[1],
): Promise<Baton> {
  const config = resolveConfig(options, optionNames);
  const clock = options.clock ?? systemClock;
  const logger =
    options.logger === false
      ? pino({ enabled: false })
      : (options.logger ?? createLogger(config.logLevel));
  const rootSecret = loadRootSecret(config.secret, config.secretFile);
  const ownsStore = options.store === undefined;
  const store = options.store ?? (await openStore(config.databaseUrl));

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
        : await loadEd25519Ring(store, rootSecret.keys.keySealingKey, clock.now(), verifyForMs);
    const accessTokens = new AccessTokens(loaded.ring, accessSettings, clock);
    const denylist = new Denylist();
    const revocations = new RevocationFeed(store, denylist, clock);
    await revocations.catchUp();
    const rateLimiter = new MemoryRateLimiter(clock);
    const passwords = new PasswordHasher();
    const core: Core = {
      config,
      store,
      clock,
      logger,
      accessTokens,
      refreshTokenKey: rootSecret.keys.refreshTokenKey,
      keySealingKey: rootSecret.keys.keySealingKey,
      denylist,
      revocations,
      passwords,
      rateLimiter,
      loginThrottle: new LoginThrottle(
        rateLimiter,
        {
          maxFailuresPerAccount: config.loginMaxFailures,
          maxFailuresPerIp: config.loginMaxFailuresPerIp,
          windowMs: config.loginLockoutMs,
        },
        clock,
      ),
      audit: new AuditLog(store, logger, clock, options.onAuditEvent),
    };
    await passwords.warmUp();
    const admin =
      config.adminEmail && config.adminPassword
        ? await ensureAdmin(core, config.adminEmail, config.adminPassword)
        : undefined;

    const purge = setInterval(() => {
      store
        .deleteExpired(clock.now())
        .then(() => denylist.sweep(clock.now()))
        .catch((error: unknown) =>
          logger.warn({ err: error }, "purge of expired sessions failed; will retry"),
        );
    }, PURGE_INTERVAL_MS);
    purge.unref();

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
    return {
      config,
      store,
      logger,
      core,
      startup,
      fastify: createFastifyPlugin(core, routes, pipeline),
      express: () => createExpressMiddleware(core, routes, pipeline),
      requireAuth: () => createGuard(core, []),
      requireRole: (...roles) => createGuard(core, roles),
      authenticate: (authorization) => authenticate(core, authorization),
      jwks: () => accessTokens.keyRing.jwks(clock.now(), accessTokens.verifyForMs),
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(purge);
        await rateLimiter.close();
        if (ownsStore) await store.close();
      },
    };
  } catch (error) {
    if (ownsStore) await store.close().catch(() => undefined);
    throw error;
  }
}

/** JSON logs; credentials are redacted wherever a request or response is logged. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "headers.authorization",
        "headers.cookie",
      ],
      censor: "[redacted]",
    },
  });
}

import {
  isCanonicalBase64url,
  parseAccessTokenClaims,
  VerifiedTokenCache,
  type AccessTokenClaims,
} from "@baton/protocol";
import { errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { readBearerToken } from "./bearer.js";
import { expressGuard, type ExpressGuard } from "./express-guard.js";
import { fastifyGuard, type FastifyGuard } from "./fastify-guard.js";
import { remoteKeySet, type KeySetOptions } from "./key-set.js";
import { VerifyError } from "./verify-error.js";

export interface VerifierOptions {
  /** Baton's key set, e.g. `https://auth.example.com/.well-known/jwks.json`. */
  jwksUrl: string | URL;
  /** Expected `iss`: Baton's JWT_ISSUER (default there: `baton`). */
  issuer: string;
  /** Expected `aud`: Baton's JWT_AUDIENCE (default there: `baton`). */
  audience: string;
  /** Leeway for `exp` and `iat`, in seconds. Default 5 (Baton's JWT_CLOCK_TOLERANCE). */
  clockTolerance?: number;
  /** How the JWKS is fetched and cached. */
  jwks?: KeySetOptions;
  /** Verified tokens kept (until they expire) so a reused token costs a lookup. Default 10000; 0 turns it off. */
  cacheSize?: number;
  /** Time source (ms since the epoch), for tests. Default `Date.now`. */
  clock?: { now(): number };
}

/** Who a verified access token speaks for: what the guards put on `request.auth`. */
export interface AuthInfo {
  userId: string;
  sessionId: string;
  roles: string[];
}

export interface GuardOptions {
  /** The caller must have at least one of these roles, else 403 FORBIDDEN. */
  roles?: readonly string[];
}

export interface Verifier {
  /** Verified claims of an access token, or VerifyError TOKEN_EXPIRED / TOKEN_INVALID / UNAVAILABLE. */
  verify(token: string): Promise<AccessTokenClaims>;
  /** Reads and verifies an `Authorization` header value; TOKEN_MISSING when there is no Bearer token. */
  authenticate(authorization: string | undefined): Promise<AuthInfo>;
  /** Fastify `preHandler`/`onRequest` hook: sets `request.auth` or answers 401/403/503. */
  fastify(options?: GuardOptions): FastifyGuard;
  /** Express/Connect middleware: sets `req.auth` or answers 401/403/503. */
  express(options?: GuardOptions): ExpressGuard;
}

/** Ours are under 1 KiB even with many roles; anything much larger is not worth parsing. */
const MAX_TOKEN_LENGTH = 8192;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies Baton access tokens locally from Baton's JWKS, with no call to Baton per request.
 * Pinned to what Baton issues (RFC 9068 profile): EdDSA, `typ: at+jwt`, `iss`, `aud`, and the
 * claims sub/sid/iat/exp/jti, roles (string[]) and ver. The signature is checked before any claim.
 *
 * What it cannot see: revocations. A logged-out session's access token verifies here until it
 * expires (ACCESS_TOKEN_TTL, 15 min by default); see docs/verify.md.
 *
 * @example
 * const verifier = createVerifier({
 *   jwksUrl: "https://auth.example.com/.well-known/jwks.json",
 *   issuer: "baton",
 *   audience: "baton",
 * });
 * app.get("/notes", { preHandler: verifier.fastify() }, (request) => notesOf(authOf(request).userId));
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { issuer, audience } = options;
  if (typeof issuer !== "string" || issuer === "")
    throw new TypeError("createVerifier: `issuer` is required (Baton's JWT_ISSUER, default baton)");
  if (typeof audience !== "string" || audience === "")
    throw new TypeError(
      "createVerifier: `audience` is required (Baton's JWT_AUDIENCE, default baton)",
    );
  const toleranceSeconds = options.clockTolerance ?? 5;
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0)
    throw new TypeError("createVerifier: `clockTolerance` must be a number of seconds ≥ 0");
  let url: URL;
  try {
    url = new URL(options.jwksUrl);
  } catch {
    throw new TypeError("createVerifier: `jwksUrl` must be an absolute URL");
  }
  const keys: JWTVerifyGetKey = remoteKeySet(url, options.jwks);
  const clock = options.clock ?? { now: () => Date.now() };
  const cache = new VerifiedTokenCache(options.cacheSize ?? 10_000);
  const toleranceMs = toleranceSeconds * 1000;

  async function verify(token: string): Promise<AccessTokenClaims> {
    const now = clock.now();
    const cached = cache.get(token, now - toleranceMs);
    if (cached === "expired") throw new VerifyError("TOKEN_EXPIRED", "Access token has expired");
    if (cached !== undefined) return cached;
    if (
      token.length > MAX_TOKEN_LENGTH ||
      !JWT_SHAPE.test(token) ||
      !isCanonicalBase64url(token.slice(token.lastIndexOf(".") + 1))
    ) {
      throw new VerifyError("TOKEN_INVALID", "Access token is malformed");
    }

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ["EdDSA"],
        typ: "at+jwt",
        issuer,
        audience,
        clockTolerance: toleranceSeconds,
        currentDate: new Date(now),
        requiredClaims: ["sub", "sid", "iat", "exp", "jti"],
      }));
    } catch (error) {
      throw classify(error);
    }
    const claims = parseAccessTokenClaims(payload);
    if (claims === undefined)
      throw new VerifyError("TOKEN_INVALID", "Access token claims are malformed");
    if (claims.iat * 1000 > now + toleranceMs)
      throw new VerifyError("TOKEN_INVALID", "Access token is issued in the future");
    cache.set(token, claims, claims.exp * 1000);
    return claims;
  }

  async function authenticate(authorization: string | undefined): Promise<AuthInfo> {
    const claims = await verify(readBearerToken(authorization));
    return { userId: claims.sub, sessionId: claims.sid, roles: claims.roles };
  }

  const verifier: Verifier = {
    verify,
    authenticate,
    fastify: (guardOptions) => fastifyGuard(verifier, guardOptions?.roles ?? []),
    express: (guardOptions) => expressGuard(verifier, guardOptions?.roles ?? []),
  };
  return verifier;
}

function classify(error: unknown): VerifyError {
  if (error instanceof VerifyError) return error;
  if (error instanceof errors.JWTExpired)
    return new VerifyError("TOKEN_EXPIRED", "Access token has expired");
  // Bad signature, unknown kid, wrong alg/typ/iss/aud, missing claims: all the token's fault.
  if (error instanceof errors.JOSEError)
    return new VerifyError("TOKEN_INVALID", "Access token is invalid");
  // Anything else is ours (a bug, an exhausted resource): not the caller's fault, not a 401.
  return new VerifyError("UNAVAILABLE", "Access token could not be verified right now", {
    cause: error,
  });
}

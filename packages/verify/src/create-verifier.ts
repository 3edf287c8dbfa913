import type { AccessTokenClaims } from "@baton/protocol";
import { expressGuard, type ExpressGuard } from "./express-guard.js";
import { fastifyGuard, type FastifyGuard } from "./fastify-guard.js";
import {
  AccessTokenVerifier,
  authInfoOf,
  PUBLISHED_ALGORITHMS,
  readBearerToken,
  VerifyError,
  type AuthInfo,
  type GuardRequirement,
} from "./kernel/index.js";
import { remoteKeySet, type KeySetOptions } from "./key-set.js";

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

export interface GuardOptions {
  /** The caller must have at least one of these roles, else 403 FORBIDDEN. */
  roles?: readonly string[];
  /**
   * The token must carry `email_verified: true`, else 403 EMAIL_NOT_VERIFIED (the client verifies
   * the address, refreshes, and tries again).
   */
  verifiedEmail?: boolean;
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

/**
 * Verifies Baton access tokens locally from Baton's JWKS, with no call to Baton per request.
 * Exactly the rules Baton itself applies (RFC 9068 profile): the algorithm pinned per key
 * (EdDSA, ES256 or RS256, as the JWKS publishes it), `typ: at+jwt`, `iss`, `aud`, and the claims sub/sid/iat/exp/jti, roles (string[]) and
 * ver. The signature is checked before any claim.
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
  const keys = remoteKeySet(url, options.jwks);
  const tokens = new AccessTokenVerifier(
    {
      issuer,
      audience,
      clockToleranceMs: toleranceSeconds * 1000,
      algorithms: PUBLISHED_ALGORITHMS,
    },
    // jose takes the JWKS entry with the token's kid only if it is published for the token's
    // alg (and of that alg's key type): each key verifies with its own algorithm.
    keys,
    options.clock ?? { now: () => Date.now() },
    options.cacheSize ?? 10_000,
  );

  async function verify(token: string): Promise<AccessTokenClaims> {
    try {
      return await tokens.verify(token);
    } catch (error) {
      if (error instanceof VerifyError) throw error;
      // Anything else is ours (a bug, an exhausted resource): not the caller's fault, not a 401.
      throw new VerifyError("UNAVAILABLE", "Access token could not be verified right now", {
        cause: error,
      });
    }
  }

  return {
    verify,
    authenticate: async (authorization) => authInfoOf(await verify(readBearerToken(authorization))),
    fastify: (guardOptions) => fastifyGuard(verify, requirementOf(guardOptions)),
    express: (guardOptions) => expressGuard(verify, requirementOf(guardOptions)),
  };
}

function requirementOf(options: GuardOptions | undefined): GuardRequirement {
  return { roles: options?.roles ?? [], verifiedEmail: options?.verifiedEmail === true };
}

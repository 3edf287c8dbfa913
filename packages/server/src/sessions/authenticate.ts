import type { AccessTokenClaims } from "@baton/protocol";
import type { Core, AuthInfo } from "../core.js";
import { AuthError } from "../errors.js";
import { bearerCandidate, readBearerToken } from "../tokens/bearer.js";

/**
 * The hot path of every protected request: parse the header, verify (cached after the first
 * time), check the in-process denylist. No I/O; for a token seen before, not even a promise:
 * the result is returned synchronously.
 */
export function authenticateNow(
  core: Core,
  authorization: string | undefined,
  headerCount?: number,
): AuthInfo | Promise<AuthInfo> {
  const candidate =
    headerCount === undefined || headerCount <= 1 ? bearerCandidate(authorization) : undefined;
  const cached = candidate === undefined ? undefined : core.accessTokens.verifyCached(candidate);
  if (cached !== undefined) return toAuthInfo(assertStanding(core, cached));
  // A miss, or a header that needs the full parse: verify() looks in the cache again itself.
  return verifyAccessToken(core, readBearerToken(authorization, headerCount)).then(toAuthInfo);
}

/** `authenticateNow`, always as a promise. */
export async function authenticate(
  core: Core,
  authorization: string | undefined,
  headerCount?: number,
): Promise<AuthInfo> {
  return authenticateNow(core, authorization, headerCount);
}

/** Verified claims of a token that is neither revoked nor stale; else AuthError. */
export async function verifyAccessToken(core: Core, token: string): Promise<AccessTokenClaims> {
  return assertStanding(core, await core.accessTokens.verify(token));
}

function assertStanding(core: Core, claims: AccessTokenClaims): AccessTokenClaims {
  const standing = core.denylist.standing(claims);
  if (standing === "revoked") throw new AuthError("SESSION_REVOKED", "Session has been revoked");
  if (standing === "stale") {
    throw new AuthError(
      "TOKEN_EXPIRED",
      "Access token predates a change to this account; refresh it",
    );
  }
  return claims;
}

function toAuthInfo(claims: AccessTokenClaims): AuthInfo {
  return { userId: claims.sub, sessionId: claims.sid, roles: claims.roles };
}

/** FORBIDDEN unless the caller has at least one of `roles`. */
export function assertRole(auth: AuthInfo, roles: readonly string[]): void {
  if (!roles.some((role) => auth.roles.includes(role))) {
    throw new AuthError("FORBIDDEN", `Requires role ${roles.join(" or ")}`);
  }
}

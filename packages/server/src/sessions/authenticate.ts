import type { AccessTokenClaims } from "@baton/protocol";
import { authInfoOf, bearerCandidate, missingRole, readBearerToken } from "@baton/verify/kernel";
import type { Core, AuthInfo } from "../core.js";
import { AuthError, asAuthError } from "../errors.js";

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
  if (cached !== undefined) return authInfoOf(assertStanding(core, cached));
  // A miss, or a header that needs the full parse: verify() looks in the cache again itself.
  let token: string;
  try {
    token = readBearerToken(authorization, headerCount);
  } catch (error) {
    throw asAuthError(error);
  }
  return verifyAccessToken(core, token).then(authInfoOf);
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

/** FORBIDDEN unless the caller has at least one of `roles`. */
export function assertRole(auth: AuthInfo, roles: readonly string[]): void {
  const refusal = missingRole(auth, roles);
  if (refusal !== undefined) throw new AuthError("FORBIDDEN", refusal);
}

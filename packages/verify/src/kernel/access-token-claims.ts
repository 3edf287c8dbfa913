import type { AccessTokenClaims } from "@baton/protocol";

/**
 * Baton's claims with the types every verifier relies on (after jose checked the signature,
 * `iss`, `aud`, `typ`, the times and the presence of sub/sid/iat/exp/jti), or undefined when any
 * is malformed.
 */
export function parseAccessTokenClaims(
  payload: Record<string, unknown>,
): AccessTokenClaims | undefined {
  const { iss, aud, sub, sid, roles, ver, iat, exp, jti } = payload;
  const ok =
    typeof iss === "string" &&
    typeof aud === "string" &&
    typeof sub === "string" &&
    sub.length > 0 &&
    typeof sid === "string" &&
    sid.length > 0 &&
    Array.isArray(roles) &&
    roles.every((role) => typeof role === "string") &&
    Number.isSafeInteger(ver) &&
    Number.isSafeInteger(iat) &&
    Number.isSafeInteger(exp) &&
    typeof jti === "string";
  if (!ok) return undefined;
  return {
    iss,
    aud,
    sub,
    sid,
    roles: roles,
    ver: ver as number,
    iat: iat as number,
    exp: exp as number,
    jti,
  };
}

/** Who a verified access token speaks for: what the guards put on `request.auth`. */
export interface AuthInfo {
  userId: string;
  sessionId: string;
  roles: string[];
}

export function authInfoOf(claims: AccessTokenClaims): AuthInfo {
  return { userId: claims.sub, sessionId: claims.sid, roles: claims.roles };
}

/** Why a caller is refused for lacking all of `roles` (403 FORBIDDEN), or undefined if it has one. */
export function missingRole(auth: AuthInfo, roles: readonly string[]): string | undefined {
  if (roles.some((role) => auth.roles.includes(role))) return undefined;
  return `Requires role ${roles.join(" or ")}`;
}

import type { AccessTokenClaims } from "./wire.js";

/**
 * Baton's claims with the types every verifier relies on (after the JOSE library checked the
 * signature, `iss`, `aud`, `typ`, the times and the presence of sub/sid/iat/exp/jti), or
 * undefined when any is malformed. Shared by the server and `@baton/verify` so both accept
 * exactly the same tokens.
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

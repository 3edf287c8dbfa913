import type { AccessTokenClaims } from "@baton/protocol";
import { VerifyError } from "./verify-error.js";

/**
 * jose checked the signature, `iss`, `aud`, `typ`, the time claims and that sub/sid/iat/exp/jti
 * are present; Baton's claims must also have the types a resource server relies on.
 */
export function checkClaimTypes(payload: Record<string, unknown>): AccessTokenClaims {
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
  if (!ok) throw new VerifyError("TOKEN_INVALID", "Access token claims are malformed");
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

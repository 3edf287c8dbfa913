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
  const emailVerified = payload.email_verified;
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
    typeof jti === "string" &&
    (emailVerified === undefined || typeof emailVerified === "boolean");
  if (!ok) return undefined;
  return {
    iss,
    aud,
    sub,
    sid,
    roles: roles,
    ver: ver as number,
    email_verified: emailVerified === true,
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
  /** The token's `email_verified` claim (false when absent). */
  emailVerified: boolean;
}

export function authInfoOf(claims: AccessTokenClaims): AuthInfo {
  return {
    userId: claims.sub,
    sessionId: claims.sid,
    roles: claims.roles,
    emailVerified: claims.email_verified === true,
  };
}

/** What a guard requires beyond a valid token. */
export interface GuardRequirement {
  /** At least one of these roles (none: any role). 403 FORBIDDEN otherwise. */
  roles: readonly string[];
  /** A verified address (the token's `email_verified`). 403 EMAIL_NOT_VERIFIED otherwise. */
  verifiedEmail?: boolean;
}

/** Why the caller is refused by `requirement`, or undefined when it is met. */
export function refusalOf(
  auth: AuthInfo,
  requirement: GuardRequirement,
): { code: "FORBIDDEN" | "EMAIL_NOT_VERIFIED"; message: string } | undefined {
  const role = requirement.roles.length > 0 ? missingRole(auth, requirement.roles) : undefined;
  if (role !== undefined) return { code: "FORBIDDEN", message: role };
  if (requirement.verifiedEmail === true && !auth.emailVerified)
    return {
      code: "EMAIL_NOT_VERIFIED",
      message: "Verify your email address first (if you just did, refresh the access token)",
    };
  return undefined;
}

/** Why a caller is refused for lacking all of `roles` (403 FORBIDDEN), or undefined if it has one. */
export function missingRole(auth: AuthInfo, roles: readonly string[]): string | undefined {
  if (roles.some((role) => auth.roles.includes(role))) return undefined;
  return `Requires role ${roles.join(" or ")}`;
}

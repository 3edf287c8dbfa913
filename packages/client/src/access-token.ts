import type { AccessTokenClaims } from "@baton/protocol";

/**
 * Reads the claims of a JWT access token **without verifying it**. The client only uses them to
 * schedule refreshes (`exp - iat` is the lifetime, `iat` a reading of the server clock) and to
 * know the session id; every authorisation decision stays with the server, which verifies the
 * signature (RFC 8725 §3.1 is about servers; a client has no key to verify with anyway).
 * Returns `undefined` for anything that is not a JWT with numeric `iat` and `exp`.
 */
export function decodeAccessToken(token: string):
  | (Partial<AccessTokenClaims> & {
      iat: number;
      exp: number;
    })
  | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const json = new TextDecoder().decode(base64UrlToBytes(payload));
    const claims: unknown = JSON.parse(json);
    if (typeof claims !== "object" || claims === null) return undefined;
    const { iat, exp } = claims as Record<string, unknown>;
    if (typeof iat !== "number" || typeof exp !== "number" || exp <= iat) return undefined;
    return claims as Partial<AccessTokenClaims> & { iat: number; exp: number };
  } catch {
    return undefined;
  }
}

function base64UrlToBytes(value: string): Uint8Array {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

import { createHmac, sign as cryptoSign } from "node:crypto";
import type { SigningKey } from "./key-ring.js";

/**
 * A JWS in compact serialisation (RFC 7515 §7.1), signed synchronously with node:crypto.
 *
 * Why not jose's SignJWT: it signs through WebCrypto, whose promise and thread-pool round trip
 * cost about three times the Ed25519 signature itself, on the refresh and login hot paths. Baton
 * builds the header and claims itself, so there is nothing to parse or negotiate here;
 * verification, where untrusted input arrives, stays with jose.
 */
export function signCompactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: SigningKey,
): string {
  const signingInput = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  const signature =
    key.alg === "EdDSA"
      ? cryptoSign(
          null,
          Buffer.from(signingInput),
          key.signingKey as Parameters<typeof cryptoSign>[2],
        )
      : createHmac("sha256", key.signingKey).update(signingInput).digest();
  return `${signingInput}.${signature.toString("base64url")}`;
}

function encodeSegment(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

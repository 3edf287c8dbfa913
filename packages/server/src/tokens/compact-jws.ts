import { createHmac, sign as cryptoSign, type KeyObject } from "node:crypto";
import type { SigningKey } from "./signing-key.js";

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
  return `${signingInput}.${signature(signingInput, key).toString("base64url")}`;
}

function signature(signingInput: string, key: SigningKey): Buffer {
  const input = Buffer.from(signingInput);
  switch (key.alg) {
    case "EdDSA":
      return cryptoSign(null, input, key.signingKey as KeyObject);
    case "ES256":
      // JWS wants R ‖ S, 32 bytes each (RFC 7518 §3.4), not the DER that node:crypto defaults to.
      return cryptoSign("sha256", input, {
        key: key.signingKey as KeyObject,
        dsaEncoding: "ieee-p1363",
      });
    case "RS256":
      return cryptoSign("sha256", input, key.signingKey as KeyObject); // RSASSA-PKCS1-v1_5
    case "HS256":
      return createHmac("sha256", key.signingKey).update(signingInput).digest();
  }
}

function encodeSegment(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { promisify } from "node:util";
import { PUBLISHED_ALGORITHMS } from "@baton/verify/kernel";
import { calculateJwkThumbprint, type JWK } from "jose";
import { seal, unseal } from "../secrets/seal.js";
import type { SigningKeyRecord } from "../store/store.js";

/** The algorithms of the key ring kept in the store, whose public keys the JWKS publishes. */
export const KEY_RING_ALGORITHMS = PUBLISHED_ALGORITHMS;
export type KeyRingAlgorithm = (typeof KEY_RING_ALGORITHMS)[number];
export type SigningAlgorithm = KeyRingAlgorithm | "HS256";

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  /** Private key, or the shared secret (HS256). */
  signingKey: KeyObject | Uint8Array;
  /** Public key, or the same shared secret (HS256). */
  verificationKey: KeyObject | Uint8Array;
  /** Published in the JWKS; absent for symmetric keys, which are never published. */
  publicJwk: JWK | undefined;
  createdAt: number;
  retiredAt: number | null;
}

/**
 * The key each algorithm signs with (RFC 7518 §3.3, §3.4; RFC 8037 §3.1). RSA: 2048 bits, the
 * size RFC 7518 requires and every verifier accepts; keys rotate and sign 15-minute tokens, and
 * larger moduli would only make every signature slower (3072 bits: about 3×).
 */
const KEY_TYPES = {
  EdDSA: {
    type: "ed25519",
    options: {},
    matches: (key: KeyObject) => key.asymmetricKeyType === "ed25519",
  },
  ES256: {
    type: "ec",
    options: { namedCurve: "P-256" },
    matches: (key: KeyObject) =>
      key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1",
  },
  RS256: {
    type: "rsa",
    options: { modulusLength: 2048 },
    matches: (key: KeyObject) =>
      key.asymmetricKeyType === "rsa" && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048,
  },
} as const;

const generate = promisify(generateKeyPair) as (
  type: string,
  options: object,
) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;

export function isKeyRingAlgorithm(alg: string): alg is KeyRingAlgorithm {
  return (KEY_RING_ALGORITHMS as readonly string[]).includes(alg);
}

/**
 * A new key pair for `alg`, with its record for the store (private half sealed with
 * `sealingKey`). Generated off the event loop: an RSA key takes tens of milliseconds.
 */
export async function generateSigningKey(
  alg: KeyRingAlgorithm,
  sealingKey: Buffer,
  createdAt: number,
): Promise<{ key: SigningKey; record: SigningKeyRecord }> {
  const { type, options } = KEY_TYPES[alg];
  const { privateKey, publicKey } = await generate(type, options);
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(jwk);
  const publicJwk: JWK = { ...jwk, kid, alg, use: "sig" };
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  return {
    key: {
      kid,
      alg,
      signingKey: privateKey,
      verificationKey: publicKey,
      publicJwk,
      createdAt,
      retiredAt: null,
    },
    record: {
      kid,
      alg,
      publicJwk: JSON.stringify(publicJwk),
      sealedPrivateKey: seal(sealingKey, pem, `signing key ${kid}`),
      createdAt,
      retiredAt: null,
    },
  };
}

/** A record whose private key cannot be unsealed: another root secret sealed it. */
export class UnsealableKeyError extends Error {
  override readonly name = "UnsealableKeyError";
}

/**
 * Rebuilds a key from its stored record. A key verifies and signs only with the algorithm it
 * was made for: a record whose key is not of that algorithm's type is refused, not trusted.
 */
export function keyFromRecord(record: SigningKeyRecord, sealingKey: Buffer): SigningKey {
  const { alg, kid } = record;
  if (!isKeyRingAlgorithm(alg))
    throw new Error(`Signing key ${kid} is for ${alg}, which this version of Baton cannot use`);
  let pem: string;
  try {
    pem = unseal(sealingKey, record.sealedPrivateKey, `signing key ${kid}`);
  } catch (error) {
    throw new UnsealableKeyError(`Signing key ${kid} cannot be unsealed`, { cause: error });
  }
  const publicJwk = JSON.parse(record.publicJwk) as JWK;
  const signingKey = createPrivateKey(pem);
  const verificationKey = createPublicKey({ key: publicJwk as JsonWebKey, format: "jwk" });
  if (!KEY_TYPES[alg].matches(signingKey) || !KEY_TYPES[alg].matches(verificationKey))
    throw new Error(`Signing key ${kid} is not a ${alg} key`);
  return {
    kid,
    alg,
    signingKey,
    verificationKey,
    publicJwk,
    createdAt: record.createdAt,
    retiredAt: record.retiredAt,
  };
}

/** HS256: one key from the configured secret. Its kid is an HMAC of the secret, not the secret. */
export function symmetricKey(secret: string, now: number): SigningKey {
  const bytes = new Uint8Array(Buffer.from(secret, "utf8"));
  const kid = `hs256-${createHmac("sha256", bytes).update("baton kid").digest("base64url").slice(0, 16)}`;
  return {
    kid,
    alg: "HS256",
    signingKey: bytes,
    verificationKey: bytes,
    publicJwk: undefined,
    createdAt: now,
    retiredAt: null,
  };
}

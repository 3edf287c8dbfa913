import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { seal, unseal } from "../secrets/seal.js";
import type { SigningKeyRecord, Store } from "../store/store.js";

export type SigningAlgorithm = "EdDSA" | "HS256";

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  /** Private key (EdDSA) or shared secret (HS256). */
  signingKey: KeyObject | Uint8Array;
  /** Public key (EdDSA) or the same shared secret (HS256). */
  verificationKey: KeyObject | Uint8Array;
  /** Published in the JWKS; absent for symmetric keys, which are never published. */
  publicJwk: JWK | undefined;
  createdAt: number;
  retiredAt: number | null;
}

/**
 * The keys that sign and verify access tokens. The newest active key signs; retired keys keep
 * verifying until every token they signed has expired (`verifyFor` after retirement), then drop
 * out of the ring and the JWKS.
 */
export class KeyRing {
  private byKid = new Map<string, SigningKey>();
  private signer: SigningKey;

  constructor(keys: SigningKey[]) {
    this.signer = pickSigner(keys);
    for (const key of keys) this.byKid.set(key.kid, key);
  }

  get active(): SigningKey {
    return this.signer;
  }

  /** The key for a token's `kid`, if it may still verify tokens at `now`. */
  find(kid: string, now: number, verifyForMs: number): SigningKey | undefined {
    const key = this.byKid.get(kid);
    if (key === undefined) return undefined;
    if (key.retiredAt !== null && now > key.retiredAt + verifyForMs) return undefined;
    return key;
  }

  /** RFC 7517 key set: public keys that may still verify tokens. */
  jwks(now: number, verifyForMs: number): { keys: JWK[] } {
    const keys: JWK[] = [];
    for (const key of this.byKid.values()) {
      if (key.publicJwk !== undefined && this.find(key.kid, now, verifyForMs))
        keys.push(key.publicJwk);
    }
    return { keys };
  }

  get kids(): string[] {
    return [...this.byKid.keys()];
  }
}

function pickSigner(keys: SigningKey[]): SigningKey {
  const active = keys
    .filter((key) => key.retiredAt === null)
    .sort((a, b) => b.createdAt - a.createdAt);
  const signer = active[0];
  if (signer === undefined) throw new Error("Key ring has no active signing key");
  return signer;
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

/** A new Ed25519 key, with its record for the store (private half sealed with `sealingKey`). */
export async function generateEd25519Key(
  sealingKey: Buffer,
  now: number,
): Promise<{ key: SigningKey; record: SigningKeyRecord }> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(jwk);
  const publicJwk: JWK = { ...jwk, kid, alg: "EdDSA", use: "sig" };
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  return {
    key: {
      kid,
      alg: "EdDSA",
      signingKey: privateKey,
      verificationKey: publicKey,
      publicJwk,
      createdAt: now,
      retiredAt: null,
    },
    record: {
      kid,
      alg: "EdDSA",
      publicJwk: JSON.stringify(publicJwk),
      sealedPrivateKey: seal(sealingKey, pem, `signing key ${kid}`),
      createdAt: now,
      retiredAt: null,
    },
  };
}

/** Rebuilds a key from its stored record. */
export function keyFromRecord(record: SigningKeyRecord, sealingKey: Buffer): SigningKey {
  const publicJwk = JSON.parse(record.publicJwk) as JWK;
  const pem = unseal(sealingKey, record.sealedPrivateKey, `signing key ${record.kid}`);
  return {
    kid: record.kid,
    alg: "EdDSA",
    signingKey: createPrivateKey(pem),
    verificationKey: createPublicKey({ key: publicJwk as JsonWebKey, format: "jwk" }),
    publicJwk,
    createdAt: record.createdAt,
    retiredAt: record.retiredAt,
  };
}

/**
 * Loads the EdDSA ring from the store, generating and storing the first key when there is none.
 * Keys sealed under another root secret cannot be opened: that is reported, not ignored.
 */
export async function loadEd25519Ring(
  store: Store,
  sealingKey: Buffer,
  now: number,
  verifyForMs: number,
): Promise<{ ring: KeyRing; generatedKid?: string }> {
  const records = (await store.listSigningKeys()).filter(
    (record) =>
      record.alg === "EdDSA" &&
      (record.retiredAt === null || now <= record.retiredAt + verifyForMs),
  );
  let keys: SigningKey[];
  try {
    keys = records.map((record) => keyFromRecord(record, sealingKey));
  } catch (error) {
    throw new Error(
      "The signing keys in the database were sealed with a different root secret (BATON_SECRET). Restore the original secret, or rotate keys with a fresh database.",
      { cause: error },
    );
  }
  if (keys.some((key) => key.retiredAt === null)) return { ring: new KeyRing(keys) };
  const { key, record } = await generateEd25519Key(sealingKey, now);
  await store.addSigningKey(record);
  return { ring: new KeyRing([...keys, key]), generatedKid: key.kid };
}

import type { Core } from "../core.js";
import { loadKeyRing, storeNewSigningKey } from "../tokens/stored-key-ring.js";

export interface SigningKeyInfo {
  kid: string;
  alg: string;
  createdAt: string;
  retiredAt: string | null;
  /** The key that signs new tokens. */
  active: boolean;
  /** Still verifies tokens (active, or retired less than an access-token lifetime ago). */
  verifying: boolean;
}

/**
 * Starts signing with a new key of JWT_ALG and retires the previous ones. Tokens they signed
 * keep verifying until they expire. Other instances pick the new key up on their next reload
 * (broadcast, poll, or the first token with an unknown `kid`).
 */
export async function rotateSigningKey(core: Core): Promise<SigningKeyInfo> {
  const alg = core.config.jwtAlg;
  if (alg === "HS256")
    throw new Error("Key rotation applies to the key ring; with HS256 change JWT_SECRET instead");
  const now = core.clock.now();
  const record = await storeNewSigningKey(core.store, core.keySealingKey, alg, now);
  await reloadSigningKeys(core);
  return {
    kid: record.kid,
    alg: record.alg,
    createdAt: new Date(record.createdAt).toISOString(),
    retiredAt: null,
    active: true,
    verifying: true,
  };
}

/** Re-reads the key ring from the store (after a rotation anywhere). */
export async function reloadSigningKeys(core: Core): Promise<void> {
  const alg = core.config.jwtAlg;
  if (alg === "HS256") return;
  const { ring } = await loadKeyRing(
    core.store,
    core.keySealingKey,
    alg,
    core.clock.now(),
    core.accessTokens.verifyForMs,
    false,
  );
  core.accessTokens.useKeyRing(ring);
}

/** Every stored key, newest first, with whether it still signs or verifies. */
export async function listSigningKeys(core: Core): Promise<SigningKeyInfo[]> {
  const now = core.clock.now();
  const records = await core.store.listSigningKeys();
  const activeKid = core.accessTokens.keyRing.active.kid;
  return records
    .map((record) => ({
      kid: record.kid,
      alg: record.alg,
      createdAt: new Date(record.createdAt).toISOString(),
      retiredAt: record.retiredAt === null ? null : new Date(record.retiredAt).toISOString(),
      active: record.kid === activeKid,
      verifying:
        record.retiredAt === null || now <= record.retiredAt + core.accessTokens.verifyForMs,
    }))
    .reverse();
}

import type { Core } from "../core.js";
import { generateEd25519Key, loadEd25519Ring } from "./key-ring.js";

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
 * Starts signing with a new Ed25519 key and retires the previous ones. Tokens they signed keep
 * verifying until they expire. Other instances pick the new key up on their next reload
 * (broadcast, poll, or the first token with an unknown `kid`).
 */
export async function rotateSigningKey(core: Core): Promise<SigningKeyInfo> {
  if (core.config.jwtAlg !== "EdDSA")
    throw new Error("Key rotation applies to EdDSA; with HS256 change JWT_SECRET instead");
  const now = core.clock.now();
  const previous = (await core.store.listSigningKeys()).filter((key) => key.retiredAt === null);
  const { record } = await generateEd25519Key(core.keySealingKey, now);
  await core.store.addSigningKey(record);
  for (const key of previous) await core.store.retireSigningKey(key.kid, now);
  await reloadSigningKeys(core);
  return {
    kid: record.kid,
    alg: record.alg,
    createdAt: new Date(now).toISOString(),
    retiredAt: null,
    active: true,
    verifying: true,
  };
}

/** Re-reads the key ring from the store (after a rotation anywhere). */
export async function reloadSigningKeys(core: Core): Promise<void> {
  if (core.config.jwtAlg !== "EdDSA") return;
  const { ring } = await loadEd25519Ring(
    core.store,
    core.keySealingKey,
    core.clock.now(),
    core.accessTokens.verifyForMs,
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

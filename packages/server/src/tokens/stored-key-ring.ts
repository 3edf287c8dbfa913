import type { SigningKeyRecord, Store } from "../store/store.js";
import { KeyRing, newestActive } from "./key-ring.js";
import {
  generateSigningKey,
  keyFromRecord,
  UnsealableKeyError,
  type KeyRingAlgorithm,
  type SigningKey,
} from "./signing-key.js";

/**
 * Starts signing with a new key of `alg`: stores it, then retires every other active key.
 * Tokens the retired keys signed keep verifying until they expire.
 *
 * Several instances may do this at once (a scheduled rotation, or a JWT_ALG change when they
 * start together). Each then retires every active key but the newest it sees (newest by
 * createdAt, then kid: `newestActive`), and dates its own key after every key it saw before.
 * So the newest key of all is never retired by anyone, and the last of the racers to look sees
 * every new key and retires all the others: they converge on one active key, whatever the
 * interleaving and however the instances' clocks differ.
 */
export async function storeNewSigningKey(
  store: Store,
  sealingKey: Buffer,
  alg: KeyRingAlgorithm,
  now: number,
): Promise<SigningKeyRecord> {
  const before = await store.listSigningKeys();
  const createdAt = Math.max(now, ...before.map((key) => key.createdAt + 1));
  const { record } = await generateSigningKey(alg, sealingKey, createdAt);
  await store.addSigningKey(record);
  const stored = await store.listSigningKeys();
  const newest = newestActive(stored);
  for (const key of stored)
    if (key.retiredAt === null && key !== newest) await store.retireSigningKey(key.kid, now);
  return record;
}

/**
 * Loads the key ring from the store: every key still verifying tokens at `now`. When no key is
 * active, it first starts signing with a new key of `alg`. At a start (`atStart`) it does so too
 * when the active key is of another algorithm (JWT_ALG changed); the previous keys keep
 * verifying until their tokens expire. A reload never does: instances configured differently
 * during a rolling change must not rotate against each other. Keys sealed under another root
 * secret cannot be opened: that is reported, not ignored.
 */
export async function loadKeyRing(
  store: Store,
  sealingKey: Buffer,
  alg: KeyRingAlgorithm,
  now: number,
  verifyForMs: number,
  atStart: boolean,
): Promise<{ ring: KeyRing; generatedKid?: string }> {
  let keys = await verifyingKeys(store, sealingKey, now, verifyForMs);
  const active = newestActive(keys);
  if (active !== undefined && (active.alg === alg || !atStart)) return { ring: new KeyRing(keys) };
  const record = await storeNewSigningKey(store, sealingKey, alg, now);
  keys = await verifyingKeys(store, sealingKey, now, verifyForMs);
  return { ring: new KeyRing(keys), generatedKid: record.kid };
}

async function verifyingKeys(
  store: Store,
  sealingKey: Buffer,
  now: number,
  verifyForMs: number,
): Promise<SigningKey[]> {
  const records = (await store.listSigningKeys()).filter(
    (record) => record.retiredAt === null || now <= record.retiredAt + verifyForMs,
  );
  try {
    return records.map((record) => keyFromRecord(record, sealingKey));
  } catch (error) {
    if (!(error instanceof UnsealableKeyError)) throw error;
    throw new Error(
      "The signing keys in the database were sealed with a different root secret (BATON_SECRET). Restore the original secret, or rotate keys with a fresh database.",
      { cause: error },
    );
  }
}

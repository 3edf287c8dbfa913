import { HashingThreads } from "./hashing-threads.js";

/** OWASP Password Storage Cheat Sheet, argon2id option: m=19 MiB, t=2, p=1. */
export const ARGON2_PARAMS = {
  algorithm: 2 /* Argon2id */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * What an unknown email is verified against: an argon2id hash with ARGON2_PARAMS (so it costs
 * exactly what a real one does) of a random password nobody kept. A constant, not computed at
 * start, so that no hashing thread starts (≈ 20 MiB each, with argon2's memory) before the first
 * login; it protects nothing, and `verifyDummy` answers false whatever it matches.
 */
export const DUMMY_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$HV04PYEVclc/lTCQtUN73Q$68kocI0gucIsIT8gfsmLtdpU23QoBaA7DFXSSUrzsjA";

/**
 * argon2id for every new hash, computed on low-priority threads (hashing-threads.ts) so the event
 * loop keeps serving. bcrypt hashes (what the seed apps stored) still verify, and `needsRehash`
 * tells the caller to upgrade them after a successful login.
 */
export class PasswordHasher {
  private readonly threads = new HashingThreads();

  hash(password: string): Promise<string> {
    return this.threads.run({
      op: "argon2-hash",
      password: normalize(password),
      options: ARGON2_PARAMS,
    });
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      if (isBcrypt(storedHash))
        return await this.threads.run({ op: "bcrypt-verify", hash: storedHash, password });
      if (storedHash.startsWith("$argon2"))
        return await this.threads.run({
          op: "argon2-verify",
          hash: storedHash,
          password: normalize(password),
        });
    } catch {
      // A malformed stored hash verifies nothing; it must not become a 500.
    }
    return false;
  }

  needsRehash(storedHash: string): boolean {
    return !storedHash.startsWith(
      `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`,
    );
  }

  /**
   * Spends the same work as a real verification and returns false: used for unknown emails so
   * response time does not reveal whether an account exists.
   */
  async verifyDummy(password: string): Promise<false> {
    await this.verify(DUMMY_HASH, password);
    return false;
  }

  close(): Promise<void> {
    return this.threads.close();
  }
}

function isBcrypt(hash: string): boolean {
  return /^\$2[abxy]\$\d\d\$/.test(hash);
}

/** NIST SP 800-63B §5.1.1.2: normalise Unicode so the same password typed differently matches. */
function normalize(password: string): string {
  return password.normalize("NFKC");
}

import { randomBytes, hkdfSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The subkeys Baton derives from its root secret; each has one purpose only. */
export interface DerivedKeys {
  /** HMAC key from which refresh tokens are derived (see tokens/refresh-token.ts). */
  refreshTokenKey: Buffer;
  /** AES-256-GCM key that seals private signing keys stored in the database. */
  keySealingKey: Buffer;
  /** HMAC key that signs device cookies (see rate-limit/device-token.ts). */
  deviceCookieKey: Buffer;
  /** HMAC key under which mailed links and codes are stored (see account-tokens/). */
  accountTokenKey: Buffer;
}

export interface RootSecret {
  keys: DerivedKeys;
  /** Set when this start generated the secret (development), to say so in the banner. */
  generatedAt?: string;
  /** Where it lives when it came from a file; "memory" when ephemeral. */
  source: "option" | "file" | "memory";
}

/**
 * A new secret: 32 random bytes (256 bits, the size of the keys derived from it), base64url so it
 * fits in an environment variable, a shell and a URL unquoted. What `baton secret` prints and
 * what a development start keeps in `baton.secret`.
 */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Loads the root secret: the configured one, else (development only) the one kept in
 * `secretFile`, created on first start. Keeping it outside the database is what makes a database
 * leak useless for forging refresh tokens or reading signing keys.
 */
export function loadRootSecret(
  secret: string | undefined,
  secretFile: string | undefined,
): RootSecret {
  if (secret !== undefined) return { keys: derive(Buffer.from(secret, "utf8")), source: "option" };
  if (secretFile === undefined) return { keys: derive(randomBytes(32)), source: "memory" };
  try {
    return {
      keys: derive(Buffer.from(readFileSync(secretFile, "utf8").trim(), "utf8")),
      source: "file",
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const generated = generateSecret();
  mkdirSync(dirname(secretFile), { recursive: true, mode: 0o700 });
  writeFileSync(secretFile, `${generated}\n`, { mode: 0o600, flag: "wx" });
  return { keys: derive(Buffer.from(generated, "utf8")), source: "file", generatedAt: secretFile };
}

function derive(root: Buffer): DerivedKeys {
  const subkey = (info: string) => Buffer.from(hkdfSync("sha256", root, "baton", info, 32));
  return {
    refreshTokenKey: subkey("refresh-token v1"),
    keySealingKey: subkey("key sealing v1"),
    deviceCookieKey: subkey("device cookie v1"),
    accountTokenKey: subkey("account token v1"),
  };
}

import { createHash, createHmac, randomBytes } from "node:crypto";

/**
 * Refresh tokens are opaque to clients: 256 bits, base64url. Baton derives the token of each
 * session generation with an HMAC under a key that never enters the database, so that
 *  - the database keeps only SHA-256 hashes (a leak yields nothing usable), and
 *  - racing requests inside the grace window can all be handed the session's *same* current
 *    token (it can be derived again), so no racer is left on a dead branch that later looks
 *    like theft.
 */
export function deriveRefreshToken(
  key: Buffer,
  sessionId: string,
  salt: string,
  generation: number,
): string {
  return createHmac("sha256", key)
    .update(`${sessionId}\n${salt}\n${generation}`)
    .digest("base64url");
}

/** What the store keeps instead of the token. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Cheap shape check before any hashing or database work. */
export function isWellFormedRefreshToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_SHAPE.test(value);
}

/** Per-session random salt mixed into the derivation. */
export function newTokenSalt(): string {
  return randomBytes(16).toString("base64url");
}

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A mailed secret has two forms: a link token (32 random bytes, for the link in the mail) and a
 * short code (for reading the mail on another device and typing it). Both are stored only as
 * keyed hashes (HMAC with a subkey of the root secret): a database leak hands out neither a
 * working link nor a code, and without the root secret the hashes cannot be tested offline.
 */
export interface AccountSecret {
  /** base64url, 43 characters: goes in the link's fragment. */
  token: string;
  /** 8 characters from CODE_ALPHABET, shown as `ABCD-EFGH`. */
  code: string;
}

/**
 * No 0/O or 1/I: read off a phone screen and typed elsewhere. 32 symbols, so each is 5 random
 * bits: a code is 40 bits, and with a handful of guesses per mailed code (CODE_GUESSES) and the
 * forgot/resend limits, guessing one is out of reach.
 */
export const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

export function newAccountSecret(): AccountSecret {
  const bytes = randomBytes(8);
  let code = "";
  for (const byte of bytes) code += CODE_ALPHABET[byte & 31];
  return { token: randomBytes(32).toString("base64url"), code };
}

/** How a code is shown in a mail: two groups of four. */
export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a person typed, as hashed: case, spaces and dashes do not matter. */
export function normaliseCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, "");
}

export function hashLinkToken(key: Buffer, token: string): string {
  return createHmac("sha256", key).update(`link\0${token}`).digest("base64url");
}

/** Salted with the token's id: the same code issued twice hashes differently. */
export function hashCode(key: Buffer, tokenId: string, code: string): string {
  return createHmac("sha256", key)
    .update(`code\0${tokenId}\0${normaliseCode(code)}`)
    .digest("base64url");
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

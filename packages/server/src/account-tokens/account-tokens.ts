import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import { AuthError } from "../errors.js";
import { normalizeEmail } from "../users/user-fields.js";
import type {
  AccountTokenRecord,
  AccountTokenStore,
  NewAccountToken,
  UserRecord,
  UserStore,
} from "../store/store.js";
import {
  hashCode,
  hashLinkToken,
  newAccountSecret,
  sameHash,
  type AccountSecret,
} from "./account-secret.js";

/** Wrong codes a mailed code survives; the next guess finds it dead (a new mail is needed). */
export const CODE_GUESSES = 5;

export interface AccountTokenParts {
  store: AccountTokenStore & UserStore;
  /** DerivedKeys.accountTokenKey. */
  key: Buffer;
  clock: Clock;
}

/** What a user hands back: the link's token, or the mailed code with the account it is for. */
export type PresentedSecret =
  { token: string } | { code: string; email: string } | { code: string; userId: string };

/**
 * A new secret for `user` and the record that stores it (hashes only). The caller mails the
 * secret and stores the record with `store.issueAccountToken(record, [mail])`, which replaces the
 * user's older tokens of the same purpose.
 */
export function newAccountToken(
  parts: AccountTokenParts,
  request: { user: UserRecord; purpose: string; email: string; ttlMs: number },
): { secret: AccountSecret; record: NewAccountToken } {
  const secret = newAccountSecret();
  const id = randomUUID();
  const now = parts.clock.now();
  return {
    secret,
    record: {
      id,
      userId: request.user.id,
      purpose: request.purpose,
      tokenHash: hashLinkToken(parts.key, secret.token),
      codeHash: hashCode(parts.key, id, secret.code),
      email: request.email,
      credentialVersion: request.user.credentialVersion,
      createdAt: now,
      expiresAt: now + request.ttlMs,
    },
  };
}

const INVALID =
  "This link or code is not valid any more: it expired, was used, or a newer one was sent";

/**
 * The live token a link or a typed code stands for, with its user; `LINK_INVALID` otherwise, the
 * same for every reason (unknown, expired, used, replaced, too many guesses, or the password
 * changed since it was mailed: a password change ends every pending link). Finding spends
 * nothing: the flow consumes the token in its own change's transaction, so two redemptions of
 * one token cannot both succeed. Opening a link must not reach here (mail scanners prefetch
 * links): pages submit the token.
 */
export async function findPresentedToken(
  parts: AccountTokenParts,
  purpose: string,
  presented: PresentedSecret,
  options: {
    /**
     * Keep the token alive across password changes: for a link that must outlive what an
     * intruder does next (an email change's undo link: changing the password right after taking
     * the address must not kill the owner's way back).
     */
    survivesPasswordChange?: boolean;
  } = {},
): Promise<{ token: AccountTokenRecord; user: UserRecord }> {
  const { store, key, clock } = parts;
  let token: AccountTokenRecord | null;
  if ("token" in presented) {
    token = await store.findAccountToken(hashLinkToken(key, presented.token));
  } else {
    const userId =
      "userId" in presented
        ? presented.userId
        : (await store.findUserByEmail(normalizeEmail(presented.email)))?.id;
    token = userId === undefined ? null : await store.findLatestAccountToken(userId, purpose);
    if (token !== null && isLive(token, clock.now())) {
      // The guess is counted before the code is compared: concurrent guesses cannot exceed it.
      const guesses = await store.countAccountTokenAttempt(token.id);
      if (
        guesses > CODE_GUESSES ||
        !sameHash(hashCode(key, token.id, presented.code), token.codeHash)
      )
        token = null;
    }
  }
  if (token === null || token.purpose !== purpose || !isLive(token, clock.now()))
    throw new AuthError("LINK_INVALID", INVALID);
  const user = await store.findUserById(token.userId);
  if (
    user === null ||
    (options.survivesPasswordChange !== true && user.credentialVersion !== token.credentialVersion)
  )
    throw new AuthError("LINK_INVALID", INVALID);
  return { token, user };
}

function isLive(token: AccountTokenRecord, now: number): boolean {
  return token.usedAt === null && token.expiresAt > now;
}

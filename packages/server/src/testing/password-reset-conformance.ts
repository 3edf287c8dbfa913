import type { PasswordReset, Store } from "../store/store.js";
import type { TestApi } from "./test-api.js";
import { T0, testSession, testUser, unique } from "./conformance-fixtures.js";

/**
 * The contract of `resetPassword`: a mailed token spent, the password set, every session ended
 * and the resetting device signed in — all in one change or none of it, and of two resets with
 * one token exactly one wins. Part of `storeConformance`.
 */
export function passwordResetConformance(
  test: TestApi,
  name: string,
  open: () => Promise<Store>,
): void {
  const { describe, it, expect, beforeEach, afterEach } = test;
  describe(`Password reset conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    const newSession = (userId: string) => testSession(userId);

    /** A user with one signed-in session and a live reset token. */
    async function pending() {
      const user = await testUser(store, { passwordHash: "$argon2id$old" });
      const signedIn = newSession(user.id);
      expect(await store.createSession(signedIn, unique("hash"), 0)).toBe(true);
      const tokenId = unique("tok");
      await store.issueAccountToken(
        {
          id: tokenId,
          userId: user.id,
          purpose: "password-reset",
          tokenHash: unique("hash"),
          codeHash: unique("code"),
          email: user.email,
          credentialVersion: 0,
          createdAt: T0,
          expiresAt: T0 + 1_800_000,
        },
        [],
      );
      return { user, signedIn, tokenId };
    }

    const reset = (
      userId: string,
      tokenId: string,
      overrides: Partial<PasswordReset> = {},
    ): PasswordReset => ({
      now: T0 + 10,
      reason: "password-reset",
      revocationExpiresAt: T0 + 60_000,
      userId,
      tokenId,
      passwordHash: "$argon2id$new",
      fromCredentialVersion: 0,
      outbox: [{ id: unique("msg"), kind: "mail", payload: "{}", createdAt: T0 + 10 }],
      session: newSession(userId),
      refreshTokenHash: unique("hash"),
      ...overrides,
    });

    it("resetPassword spends the token, sets the password, ends every session, queues the mail and signs this device in", async () => {
      const { user, signedIn, tokenId } = await pending();
      const change = reset(user.id, tokenId);
      expect(await store.resetPassword(change)).toEqual({
        reset: true,
        revokedSessionIds: [signedIn.id],
      });
      expect(await store.findUserById(user.id)).toMatchObject({
        passwordHash: "$argon2id$new",
        credentialVersion: 1,
      });
      expect(await store.findSession(signedIn.id)).toMatchObject({
        revokedAt: T0 + 10,
        revokedReason: "password-reset",
      });
      expect((await store.listRevocations(null, T0)).revocations).toContainEqual(
        expect.objectContaining({ kind: "session", subject: signedIn.id }),
      );
      expect(await store.findOutboxMessage(change.outbox![0]!.id)).toMatchObject({
        status: "pending",
      });
      const opened = await store.findByRefreshToken(change.refreshTokenHash);
      expect(opened).toMatchObject({ generation: 0, session: { id: change.session.id } });
      expect(opened?.session.revokedAt).toBeNull();
      expect((await store.findLatestAccountToken(user.id, "password-reset"))?.usedAt).toBe(T0 + 10);
    });

    it("resetPassword changes nothing with a spent or expired token, or a moved credential version", async () => {
      const { user, signedIn, tokenId } = await pending();
      const refused = [
        reset(user.id, tokenId, { fromCredentialVersion: 1 }),
        reset(user.id, tokenId, { now: T0 + 1_800_000 }),
        reset(user.id, "missing-token"),
      ];
      for (const change of refused) {
        expect(await store.resetPassword(change)).toEqual({ reset: false });
        expect(await store.findOutboxMessage(change.outbox![0]!.id)).toBeNull();
        expect(await store.findSession(change.session.id)).toBeNull();
      }
      expect(await store.findUserById(user.id)).toMatchObject({
        passwordHash: "$argon2id$old",
        credentialVersion: 0,
      });
      expect(await store.findSession(signedIn.id)).toMatchObject({ revokedAt: null });
      // The refused attempt with a moved version did not spend the token: it still works once.
      expect(await store.resetPassword(reset(user.id, tokenId))).toMatchObject({ reset: true });
      expect(await store.resetPassword(reset(user.id, tokenId))).toEqual({ reset: false });
    });

    it("of two concurrent resets with one token exactly one wins, and only its session opens", async () => {
      const { user, tokenId } = await pending();
      const first = reset(user.id, tokenId, { passwordHash: "$argon2id$first" });
      const second = reset(user.id, tokenId, { passwordHash: "$argon2id$second" });
      const outcomes = await Promise.all([store.resetPassword(first), store.resetPassword(second)]);
      const winners = outcomes.filter((outcome) => outcome.reset);
      expect(winners).toHaveLength(1);
      const won = outcomes[0].reset ? first : second;
      const lost = won === first ? second : first;
      expect(await store.findUserById(user.id)).toMatchObject({
        passwordHash: won.passwordHash,
        credentialVersion: 1,
      });
      expect(await store.findSession(won.session.id)).toMatchObject({ revokedAt: null });
      expect(await store.findSession(lost.session.id)).toBeNull();
      expect(await store.findOutboxMessage(lost.outbox![0]!.id)).toBeNull();
    });
  });
}

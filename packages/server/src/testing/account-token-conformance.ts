import type { Store } from "../store/store.js";
import type { TestApi } from "./test-api.js";
import { T0, testAccountToken, testMail, testUser } from "./conformance-fixtures.js";

/**
 * The contract of mailed single-use tokens (`AccountTokenStore`): what password reset and email
 * verification rely on so a link works once, a newer mail replaces an older one, and guesses of a
 * code are counted exactly. Part of `storeConformance`.
 */
export function accountTokenConformance(
  test: TestApi,
  name: string,
  open: () => Promise<Store>,
): void {
  const { describe, it, expect, beforeEach, afterEach } = test;
  describe(`Account token conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    const user = (email?: string) => testUser(store, email === undefined ? {} : { email });
    const token = (userId: string, purpose = "password-reset", at = T0) =>
      testAccountToken(userId, purpose, { createdAt: at, expiresAt: at + 1_800_000 });
    const mail = () => testMail();

    it("stores a token with its mail in one change, found by hash and as the user's latest", async () => {
      const owner = await user();
      const issued = token(owner.id);
      const message = mail();
      expect(await store.issueAccountToken(issued, [message])).toBe(true);
      expect(await store.findAccountToken(issued.tokenHash)).toEqual({
        ...issued,
        attempts: 0,
        usedAt: null,
      });
      expect(await store.findLatestAccountToken(owner.id, "password-reset")).toMatchObject({
        id: issued.id,
      });
      expect(await store.findOutboxMessage(message.id)).toMatchObject({ status: "pending" });
      expect(await store.findAccountToken("no such hash")).toBeNull();
      expect(await store.findLatestAccountToken(owner.id, "email-verification")).toBeNull();
    });

    it("issues nothing, mail included, for a user that does not exist", async () => {
      const message = mail();
      expect(await store.issueAccountToken(token("missing"), [message])).toBe(false);
      expect(await store.findOutboxMessage(message.id)).toBeNull();
    });

    it("a newer token replaces the user's unused ones of the same purpose only", async () => {
      const [owner, other] = [await user(), await user()];
      const first = token(owner.id, "password-reset", T0);
      const verification = token(owner.id, "email-verification", T0);
      const others = token(other.id, "password-reset", T0);
      for (const issued of [first, verification, others]) await store.issueAccountToken(issued, []);
      const second = token(owner.id, "password-reset", T0 + 1);
      await store.issueAccountToken(second, []);
      expect(await store.findAccountToken(first.tokenHash)).toBeNull();
      expect(await store.findAccountToken(second.tokenHash)).not.toBeNull();
      expect(await store.findAccountToken(verification.tokenHash)).not.toBeNull();
      expect(await store.findAccountToken(others.tokenHash)).not.toBeNull();
      expect(await store.findLatestAccountToken(owner.id, "password-reset")).toMatchObject({
        id: second.id,
      });
    });

    it("consumes a token once, and never an expired one, however many try at once", async () => {
      const owner = await user();
      const issued = token(owner.id);
      await store.issueAccountToken(issued, []);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.consumeAccountToken(issued.id, T0 + 10)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.findAccountToken(issued.tokenHash)).toMatchObject({ usedAt: T0 + 10 });

      const expiring = token(owner.id, "email-verification");
      await store.issueAccountToken(expiring, []);
      expect(await store.consumeAccountToken(expiring.id, expiring.expiresAt)).toBe(false);
      expect(await store.consumeAccountToken("missing", T0)).toBe(false);
    });

    it("counts concurrent code guesses exactly, and a vanished token has none left", async () => {
      const owner = await user();
      const issued = token(owner.id);
      await store.issueAccountToken(issued, []);
      const counts = await Promise.all(
        Array.from({ length: 10 }, () => store.countAccountTokenAttempt(issued.id)),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await store.countAccountTokenAttempt("missing")).toBe(Number.POSITIVE_INFINITY);
    });

    it("a deleted user's tokens go with it", async () => {
      const owner = await user();
      const issued = token(owner.id);
      await store.issueAccountToken(issued, []);
      await store.deleteUser(owner.id, { now: T0, reason: "test", revocationExpiresAt: T0 + 1 });
      expect(await store.findAccountToken(issued.tokenHash)).toBeNull();
    });
  });
}

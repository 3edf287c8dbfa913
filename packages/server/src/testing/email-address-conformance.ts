import type { NewSession, Store, UserRecord } from "../store/store.js";
import type { TestApi } from "./test-api.js";
import { T0, testAccountToken, testMail, testUser, unique } from "./conformance-fixtures.js";

/**
 * The contract of the address changes (`EmailAddressStore`): each spends its mailed token in the
 * change's own transaction, a link mailed to an address the user has left verifies nothing, and
 * addresses stay unique however changes race. Part of `storeConformance`.
 */
export function emailAddressConformance(
  test: TestApi,
  name: string,
  open: () => Promise<Store>,
): void {
  const { describe, it, expect, beforeEach, afterEach } = test;
  describe(`Email address conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    const user = (email?: string): Promise<UserRecord> =>
      testUser(store, email === undefined ? {} : { email });
    const token = (userId: string, purpose: string, email: string) =>
      testAccountToken(userId, purpose, { email, expiresAt: T0 + 3_600_000 });
    const mail = () => testMail();
    async function issued(userId: string, purpose: string, email: string) {
      const record = token(userId, purpose, email);
      await store.issueAccountToken(record, []);
      return record;
    }
    async function session(userId: string): Promise<string> {
      const opened: NewSession = {
        id: unique("s"),
        userId,
        tokenSalt: "salt",
        createdAt: T0,
        expiresAt: T0 + 86_400_000,
        maxExpiresAt: T0 + 86_400_000,
        ip: null,
        userAgent: null,
      };
      await store.createSession(opened, unique("rt"), 0);
      return opened.id;
    }
    const stamp = { now: T0 + 2, reason: "email-change-undone", revocationExpiresAt: T0 + 60_000 };

    it("keeps a new user's verification token and mail with the user, and `emailVerifiedAt`", async () => {
      const id = unique("user");
      const verification = token(id, "email-verification", "new@example.com");
      const message = mail();
      const created = await store.createUser(
        {
          id,
          email: `${unique("v")}@example.com`,
          name: null,
          passwordHash: "h",
          roles: [],
          createdAt: T0,
        },
        [message],
        [verification],
      );
      expect(created?.emailVerifiedAt).toBeNull();
      expect((await store.findAccountToken(verification.tokenHash))?.userId).toBe(id);
      expect(await store.findOutboxMessage(message.id)).not.toBeNull();
      const imported = await store.createUser({
        id: unique("user"),
        email: `${unique("i")}@example.com`,
        name: null,
        passwordHash: "h",
        roles: [],
        createdAt: T0,
        emailVerifiedAt: T0 - 5,
      });
      expect((await store.findUserById(imported!.id))?.emailVerifiedAt).toBe(T0 - 5);
    });

    it("verifies the address once, spending the token; a link for an address the user left does nothing", async () => {
      const owner = await user();
      const link = await issued(owner.id, "email-verification", owner.email);
      const confirmation = { userId: owner.id, tokenId: link.id, email: owner.email, now: T0 + 1 };
      expect(await store.confirmEmail(confirmation)).toBe("verified");
      expect((await store.findUserById(owner.id))?.emailVerifiedAt).toBe(T0 + 1);
      expect(await store.confirmEmail({ ...confirmation, now: T0 + 2 })).toBe("link-spent");
      expect((await store.findUserById(owner.id))?.emailVerifiedAt).toBe(T0 + 1);

      const other = await user();
      const stale = await issued(other.id, "email-verification", "left@example.com");
      expect(
        await store.confirmEmail({
          userId: other.id,
          tokenId: stale.id,
          email: stale.email,
          now: T0,
        }),
      ).toBe("link-spent");
      expect((await store.findAccountToken(stale.tokenHash))?.usedAt).toBeNull();
      expect((await store.findUserById(other.id))?.emailVerifiedAt).toBeNull();
    });

    it("changes the address with its undo token and notice in one change, once", async () => {
      const owner = await user();
      const newEmail = `${unique("new")}@example.com`;
      const change = await issued(owner.id, "email-change", newEmail);
      const firstUndo = await issued(owner.id, "email-change-undo", "earlier@example.com");
      const undo = token(owner.id, "email-change-undo", owner.email);
      const notice = mail();
      const request = {
        userId: owner.id,
        tokenId: change.id,
        email: newEmail,
        fromEmail: owner.email,
        now: T0 + 1,
        undoToken: undo,
        outbox: [notice],
      };
      expect(await store.changeEmail(request)).toEqual({ changed: true });
      const changed = await store.findUserById(owner.id);
      expect([changed?.email, changed?.emailVerifiedAt]).toEqual([newEmail, T0 + 1]);
      expect((await store.findAccountToken(undo.tokenHash))?.email).toBe(owner.email);
      // An earlier undo link stays live: a second change must not kill the first one's way back.
      expect((await store.findAccountToken(firstUndo.tokenHash))?.usedAt).toBeNull();
      expect(await store.findOutboxMessage(notice.id)).not.toBeNull();
      expect(
        await store.changeEmail({
          ...request,
          fromEmail: newEmail,
          undoToken: token(owner.id, "email-change-undo", newEmail),
          outbox: [],
        }),
      ).toEqual({ changed: false, reason: "link-spent" });
    });

    it("changes nothing when the new address is taken, or the address moved since", async () => {
      const owner = await user();
      const holder = await user();
      const change = await issued(owner.id, "email-change", holder.email);
      const notice = mail();
      const undo = token(owner.id, "email-change-undo", owner.email);
      const request = {
        userId: owner.id,
        tokenId: change.id,
        email: holder.email,
        fromEmail: owner.email,
        now: T0 + 1,
        undoToken: undo,
        outbox: [notice],
      };
      expect(await store.changeEmail(request)).toEqual({ changed: false, reason: "email-taken" });
      expect(
        await store.changeEmail({
          ...request,
          email: "free@example.com",
          fromEmail: "old@example.com",
        }),
      ).toEqual({ changed: false, reason: "link-spent" });
      expect((await store.findUserById(owner.id))?.email).toBe(owner.email);
      expect((await store.findAccountToken(change.tokenHash))?.usedAt).toBeNull();
      expect(await store.findAccountToken(undo.tokenHash)).toBeNull();
      expect(await store.findOutboxMessage(notice.id)).toBeNull();
    });

    it("of two users changing to one address at once, exactly one gets it", async () => {
      const target = `${unique("contested")}@example.com`;
      const [first, second] = [await user(), await user()];
      const requests = [first, second].map(async (racer) => {
        const change = await issued(racer.id, "email-change", target);
        return {
          userId: racer.id,
          tokenId: change.id,
          email: target,
          fromEmail: racer.email,
          now: T0 + 1,
          undoToken: token(racer.id, "email-change-undo", racer.email),
          outbox: [mail()],
        };
      });
      const ready = await Promise.all(requests);
      const outcomes = await Promise.all(ready.map((request) => store.changeEmail(request)));
      expect(outcomes.filter((outcome) => outcome.changed)).toHaveLength(1);
      expect(
        outcomes.filter((outcome) => !outcome.changed && outcome.reason === "email-taken"),
      ).toHaveLength(1);
      const emails = [
        (await store.findUserById(first.id))?.email,
        (await store.findUserById(second.id))?.email,
      ];
      expect(emails.filter((email) => email === target)).toHaveLength(1);
    });

    it("undoes a change: the old address back, pending links cancelled, every session revoked", async () => {
      const owner = await user();
      const sessions = [await session(owner.id), await session(owner.id)];
      const undo = await issued(owner.id, "email-change-undo", "back@example.com");
      const pending = await issued(owner.id, "email-change", "next@example.com");
      const restore = {
        ...stamp,
        userId: owner.id,
        tokenId: undo.id,
        email: "back@example.com",
        cancelPurposes: ["email-change", "email-change-undo"],
      };
      const outcome = await store.restoreEmail(restore);
      expect(outcome.restored && [...outcome.revokedSessionIds].sort()).toEqual(
        [...sessions].sort(),
      );
      const restored = await store.findUserById(owner.id);
      expect([restored?.email, restored?.emailVerifiedAt]).toEqual(["back@example.com", T0 + 2]);
      expect(await store.findAccountToken(pending.tokenHash)).toBeNull();
      for (const id of sessions) expect((await store.findSession(id))?.revokedAt).toBe(T0 + 2);
      expect(await store.restoreEmail(restore)).toEqual({ restored: false, reason: "link-spent" });
    });

    it("does not undo onto an address another account took meanwhile: nothing changes", async () => {
      const owner = await user();
      const taker = await user();
      const live = await session(owner.id);
      const undo = await issued(owner.id, "email-change-undo", taker.email);
      const outcome = await store.restoreEmail({
        ...stamp,
        userId: owner.id,
        tokenId: undo.id,
        email: taker.email,
        cancelPurposes: ["email-change"],
      });
      expect(outcome).toEqual({ restored: false, reason: "email-taken" });
      expect((await store.findSession(live))?.revokedAt).toBeNull();
      expect((await store.findAccountToken(undo.tokenHash))?.usedAt).toBeNull();
      expect((await store.findUserById(owner.id))?.email).toBe(owner.email);
    });

    it("a change confirmed while its undo runs ends with the restored address", async () => {
      const owner = await user();
      const oldEmail = `${unique("old")}@example.com`;
      const undo = await issued(owner.id, "email-change-undo", oldEmail);
      const next = `${unique("next")}@example.com`;
      const change = await issued(owner.id, "email-change", next);
      const [changed, restored] = await Promise.all([
        store.changeEmail({
          userId: owner.id,
          tokenId: change.id,
          email: next,
          fromEmail: owner.email,
          now: T0 + 1,
          undoToken: token(owner.id, "email-change-undo", owner.email),
          outbox: [],
        }),
        store.restoreEmail({
          ...stamp,
          userId: owner.id,
          tokenId: undo.id,
          email: oldEmail,
          cancelPurposes: ["email-change", "email-change-undo"],
        }),
      ]);
      expect(restored.restored).toBe(true);
      expect(typeof changed.changed).toBe("boolean");
      expect((await store.findUserById(owner.id))?.email).toBe(oldEmail);
    });
  });
}

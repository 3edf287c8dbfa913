import type { NewOutboxMessage, RevocationStamp, Store } from "../store/store.js";
import type { TestApi } from "./test-api.js";
import { T0, testSession, testUser, unique } from "./conformance-fixtures.js";

/**
 * The contract behind sign-in alerts, "this wasn't me", the refresh-reuse mail and webhooks:
 * each message is written in the transaction of the change that causes it (a session created, a
 * session revoked, an audit event stored), so it goes out exactly when that change happened; and
 * a "this wasn't me" link ends the account's sessions once. Part of `storeConformance`.
 */
export function securityEventConformance(
  test: TestApi,
  name: string,
  open: () => Promise<Store>,
): void {
  const { describe, it, expect, beforeEach, afterEach } = test;
  describe(`Security event conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    const user = (email?: string) => testUser(store, email === undefined ? {} : { email });
    const newSession = (userId: string) => testSession(userId);
    const message = (kind = "mail"): NewOutboxMessage => ({
      id: unique("msg"),
      kind,
      payload: "{}",
      createdAt: T0,
    });
    const stamp = (reason: string): RevocationStamp => ({
      now: T0 + 10,
      reason,
      revocationExpiresAt: T0 + 900_000,
    });
    const pending = async (id: string) => (await store.findOutboxMessage(id))?.status ?? null;

    it("createSession writes its messages only when it creates the session", async () => {
      const owner = await user();
      const alert = message();
      expect(await store.createSession(newSession(owner.id), unique("hash"), 0, [alert])).toBe(
        true,
      );
      expect(await pending(alert.id)).toBe("pending");
      const refused = message();
      expect(await store.createSession(newSession(owner.id), unique("hash"), 7, [refused])).toBe(
        false,
      );
      expect(await pending(refused.id)).toBeNull();
    });

    it("revokeSession writes its messages only when it revokes a live session", async () => {
      const owner = await user();
      const session = newSession(owner.id);
      await store.createSession(session, unique("hash"), 0);
      const [first, second] = [message(), message()];
      const change = { ...stamp("refresh-token-reuse"), userId: owner.id };
      expect(await store.revokeSession(session.id, { ...change, outbox: [first] })).toBe(true);
      expect(await store.revokeSession(session.id, { ...change, outbox: [second] })).toBe(false);
      expect(await pending(first.id)).toBe("pending");
      expect(await pending(second.id)).toBeNull();
    });

    it("appendAudit stores an event's webhook with it", async () => {
      const owner = await user();
      const webhook = message("webhook");
      const event = {
        at: T0,
        type: "user.registered",
        userId: owner.id,
        sessionId: null,
        ip: null,
        userAgent: null,
        detail: null,
      };
      await store.appendAudit(event, [webhook]);
      expect(await pending(webhook.id)).toBe("pending");
      expect(await store.listAuditEvents({ userId: owner.id, limit: 5 })).toEqual([event]);
    });

    it("an account token ends every session of its user once, however many redeem it at once", async () => {
      const [owner, other] = [await user(), await user()];
      const sessions = [newSession(owner.id), newSession(owner.id), newSession(other.id)];
      for (const session of sessions) await store.createSession(session, unique("hash"), 0);
      const token = {
        id: unique("tok"),
        userId: owner.id,
        purpose: "not-me",
        tokenHash: unique("hash"),
        codeHash: unique("code"),
        email: owner.email,
        credentialVersion: 0,
        createdAt: T0,
        expiresAt: T0 + 86_400_000,
      };
      await store.issueAccountToken(token, []);
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          store.revokeUserSessionsByAccountToken(owner.id, token.id, stamp("not-me")),
        ),
      );
      const winners = results.filter((ids) => ids !== null);
      expect(winners).toHaveLength(1);
      expect([...winners[0]!].sort()).toEqual([sessions[0]!.id, sessions[1]!.id].sort());
      expect(await store.listActiveSessions(owner.id, T0)).toEqual([]);
      expect(await store.listActiveSessions(other.id, T0)).toHaveLength(1);
      const revoked = (await store.listRevocations(null, T0 + 10)).revocations;
      for (const ended of sessions.slice(0, 2))
        expect(revoked.map((r) => r.subject)).toContainEqual(ended.id);

      const expired = { ...token, id: unique("tok"), tokenHash: unique("hash"), expiresAt: T0 };
      await store.issueAccountToken(expired, []);
      expect(
        await store.revokeUserSessionsByAccountToken(owner.id, expired.id, stamp("not-me")),
      ).toBeNull();
    });
  });
}

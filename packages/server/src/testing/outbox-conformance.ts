import type { NewOutboxMessage, Store } from "../store/store.js";
import type { TestApi } from "./test-api.js";
import { T0, unique } from "./conformance-fixtures.js";

/**
 * The contract of the outbox (`OutboxStore`, the mail queue): what the delivery worker relies on
 * so that mail is sent only for committed changes, never lost, and never claimed by two workers
 * at once. Part of `storeConformance`; exported alone for a store that is being written role by
 * role. Each test opens a store on a fresh, empty database with `open` and closes it afterwards.
 *
 * @example
 * ```ts
 * import * as vitest from "vitest";
 * import { outboxConformance } from "@baton/server/testing";
 *
 * outboxConformance(vitest, "my store", () => openMyStore({ database: freshDatabase() }));
 * ```
 */
export function outboxConformance(test: TestApi, name: string, open: () => Promise<Store>): void {
  const { describe, it, expect, beforeEach, afterEach } = test;
  describe(`Outbox conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    const message = (createdAt = T0, kind = "mail"): NewOutboxMessage => ({
      id: unique("msg"),
      kind,
      payload: JSON.stringify({ secret: unique("token") }),
      createdAt,
    });
    const claim = (now: number, limit = 10, leaseUntil = now + 60_000, kind = "mail") =>
      store.claimOutbox({ kind, now, limit, lease: unique("lease"), leaseUntil });
    const ids = (messages: { id: string }[]) => messages.map((m) => m.id);

    it("claims due messages of its kind, oldest first, up to the limit, each with one attempt counted", async () => {
      const [a, b, c] = [message(T0), message(T0 + 1), message(T0 + 2)];
      const later = message(T0 + 1_000);
      const webhook = message(T0, "webhook");
      await store.enqueueOutbox([c, later, a, webhook, b]);
      expect(await store.countPendingOutbox("mail")).toBe(4);

      const first = await claim(T0 + 10, 2);
      expect(ids(first)).toEqual([a.id, b.id]);
      expect(first[0]).toMatchObject({ kind: "mail", payload: a.payload, attempts: 1 });
      expect(ids(await claim(T0 + 10))).toEqual([c.id]); // `later` is not due yet
      expect(ids(await claim(T0 + 1_000))).toEqual([later.id]);
      expect(ids(await claim(T0 + 1_000, 10, T0 + 2_000, "webhook"))).toEqual([webhook.id]);
    });

    it("takes no more than the limit, however many are due at the same instant", async () => {
      // Regression: on PostgreSQL, `id IN (… LIMIT 3 FOR UPDATE SKIP LOCKED)` ran its subquery
      // once per row and claimed all 5 (store/sql/outbox-queries.ts).
      await store.enqueueOutbox(Array.from({ length: 5 }, () => message(T0)));
      expect(await claim(T0, 3)).toHaveLength(3);
      expect(await claim(T0, 3)).toHaveLength(2);
    });

    it("a claim holds until its lease ends; then the message is claimed again and the old lease settles nothing", async () => {
      const queued = message();
      await store.enqueueOutbox([queued]);
      const [held] = await claim(T0, 10, T0 + 60_000);
      expect(await claim(T0 + 59_999)).toHaveLength(0);

      const [again] = await claim(T0 + 60_000);
      expect(again).toMatchObject({ id: queued.id, attempts: 2 });
      expect(await store.settleOutbox(queued.id, held!.lease, { outcome: "sent", at: T0 })).toBe(
        false,
      );
      expect(
        await store.settleOutbox(queued.id, again!.lease, { outcome: "sent", at: T0 + 60_001 }),
      ).toBe(true);
    });

    it("concurrent claims take disjoint messages", async () => {
      const queued = Array.from({ length: 12 }, (_, index) => message(T0 + index));
      await store.enqueueOutbox(queued);
      const claims = await Promise.all(Array.from({ length: 6 }, () => claim(T0 + 100, 3)));
      const claimed = claims.flatMap(ids);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claimed.length).toBe(12);
    });

    it("settles: sent and failed drop the payload and are never claimed again; a retry is due at its time", async () => {
      const [sent, failed, retried] = [message(), message(), message()];
      await store.enqueueOutbox([sent, failed, retried]);
      const leases = new Map((await claim(T0)).map((m) => [m.id, m.lease]));
      const settle = (id: string, settlement: Parameters<Store["settleOutbox"]>[2]) =>
        store.settleOutbox(id, leases.get(id)!, settlement);

      expect(await settle(sent.id, { outcome: "sent", at: T0 + 1 })).toBe(true);
      expect(await settle(failed.id, { outcome: "failed", at: T0 + 2, error: "550 no" })).toBe(
        true,
      );
      expect(
        await settle(retried.id, {
          outcome: "retry",
          at: T0 + 3,
          error: "connection refused",
          nextAttemptAt: T0 + 5_000,
        }),
      ).toBe(true);

      expect(await store.findOutboxMessage(sent.id)).toMatchObject({
        status: "sent",
        payload: null,
        attempts: 1,
        settledAt: T0 + 1,
      });
      expect(await store.findOutboxMessage(failed.id)).toMatchObject({
        status: "failed",
        payload: null,
        lastError: "550 no",
      });
      expect(await store.findOutboxMessage(retried.id)).toMatchObject({
        status: "pending",
        payload: retried.payload,
        lastError: "connection refused",
        nextAttemptAt: T0 + 5_000,
      });
      expect(await store.countPendingOutbox("mail")).toBe(1);
      expect(ids(await claim(T0 + 4_999))).toEqual([]);
      expect(ids(await claim(T0 + 5_000))).toEqual([retried.id]);
      expect(await store.findOutboxMessage("missing")).toBeNull();
    });

    it("writes a change's messages in its transaction: none when it rolls back or creates nothing", async () => {
      const user = await store.createUser(
        {
          id: unique("user"),
          email: `${unique("u")}@example.com`,
          name: null,
          passwordHash: "$argon2id$x",
          roles: ["user"],
          createdAt: T0,
        },
        [message()],
      );
      expect(user).not.toBeNull();
      const taken = message();
      expect(await store.createUser({ ...user!, id: unique("user") }, [taken])).toBeNull();

      const session = {
        id: unique("sess"),
        userId: user!.id,
        tokenSalt: "salt",
        createdAt: T0,
        expiresAt: T0 + 86_400_000,
        maxExpiresAt: T0 + 86_400_000,
        ip: null,
        userAgent: null,
      };
      expect(await store.createSession(session, unique("hash"), 0)).toBe(true);
      const stamp = { now: T0 + 1, reason: "test", revocationExpiresAt: T0 + 60_000 };
      await store.revokeSession(session.id, stamp);
      const rolledBack = message();
      const change = {
        ...stamp,
        userId: user!.id,
        passwordHash: "$argon2id$new",
        fromCredentialVersion: 0,
        keepSessionId: session.id,
      };
      expect(await store.changePassword({ ...change, outbox: [rolledBack] })).toEqual({
        changed: false,
        reason: "session-ended",
      });
      expect(await store.findOutboxMessage(taken.id)).toBeNull();
      expect(await store.findOutboxMessage(rolledBack.id)).toBeNull();
      expect(await store.countPendingOutbox("mail")).toBe(1);

      const live = { ...session, id: unique("sess") };
      expect(await store.createSession(live, unique("hash"), 0)).toBe(true);
      const committed = message();
      expect(
        await store.changePassword({ ...change, keepSessionId: live.id, outbox: [committed] }),
      ).toMatchObject({ changed: true });
      expect(await store.findOutboxMessage(committed.id)).toMatchObject({ status: "pending" });
    });
  });
}

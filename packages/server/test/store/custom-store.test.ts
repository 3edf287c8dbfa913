import * as vitest from "vitest";
import { expect, it } from "vitest";
import {
  openStore,
  type AuditRecord,
  type EmailChange,
  type EmailConfirmation,
  type EmailRestore,
  type NewAccountToken,
  type NewOutboxMessage,
  type OutboxClaim,
  type OutboxSettlement,
  type NewSession,
  type NewUser,
  type PasswordChange,
  type PasswordReset,
  type ProtectedRole,
  type RevocationCursor,
  type RevocationStamp,
  type Rotation,
  type SigningKeyRecord,
  type Store,
} from "@baton/server";
import { storeConformance, type TestApi } from "@baton/server/testing";

// A store written outside Baton, against its public types only, proves itself with the suite
// `@baton/server/testing` exports — and the suite catches one that breaks the contract.

/**
 * A custom store as an application might write one: it counts the calls of each method (say,
 * for its own metrics) and leaves the storing to Baton's SQLite store.
 */
class CountingStore implements Store {
  readonly calls = new Map<string, number>();
  constructor(protected readonly inner: Store) {}
  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  ping() {
    this.count("ping");
    return this.inner.ping();
  }
  close() {
    this.count("close");
    return this.inner.close();
  }
  deleteExpired(now: number) {
    this.count("deleteExpired");
    return this.inner.deleteExpired(now);
  }
  createUser(user: NewUser, outbox?: NewOutboxMessage[], tokens?: NewAccountToken[]) {
    this.count("createUser");
    return this.inner.createUser(user, outbox, tokens);
  }
  findUserByEmail(email: string) {
    this.count("findUserByEmail");
    return this.inner.findUserByEmail(email);
  }
  findUserById(id: string) {
    this.count("findUserById");
    return this.inner.findUserById(id);
  }
  listUsers(page: { limit: number; offset: number }) {
    this.count("listUsers");
    return this.inner.listUsers(page);
  }
  rehashPassword(
    userId: string,
    rehash: { passwordHash: string; credentialVersion: number; now: number },
  ) {
    this.count("rehashPassword");
    return this.inner.rehashPassword(userId, rehash);
  }
  createSession(
    session: NewSession,
    tokenHash: string,
    credentialVersion: number,
    outbox?: NewOutboxMessage[],
  ) {
    this.count("createSession");
    return this.inner.createSession(session, tokenHash, credentialVersion, outbox);
  }
  findByRefreshToken(tokenHash: string) {
    this.count("findByRefreshToken");
    return this.inner.findByRefreshToken(tokenHash);
  }
  rotateRefreshToken(rotation: Rotation) {
    this.count("rotateRefreshToken");
    return this.inner.rotateRefreshToken(rotation);
  }
  enqueueOutbox(messages: NewOutboxMessage[]) {
    this.count("enqueueOutbox");
    return this.inner.enqueueOutbox(messages);
  }
  claimOutbox(claim: OutboxClaim) {
    this.count("claimOutbox");
    return this.inner.claimOutbox(claim);
  }
  settleOutbox(id: string, lease: string, settlement: OutboxSettlement) {
    this.count("settleOutbox");
    return this.inner.settleOutbox(id, lease, settlement);
  }
  countPendingOutbox(kind: string) {
    this.count("countPendingOutbox");
    return this.inner.countPendingOutbox(kind);
  }
  findOutboxMessage(id: string) {
    this.count("findOutboxMessage");
    return this.inner.findOutboxMessage(id);
  }
  issueAccountToken(token: NewAccountToken, outbox: NewOutboxMessage[]) {
    this.count("issueAccountToken");
    return this.inner.issueAccountToken(token, outbox);
  }
  findAccountToken(tokenHash: string) {
    this.count("findAccountToken");
    return this.inner.findAccountToken(tokenHash);
  }
  findLatestAccountToken(userId: string, purpose: string) {
    this.count("findLatestAccountToken");
    return this.inner.findLatestAccountToken(userId, purpose);
  }
  countAccountTokenAttempt(id: string) {
    this.count("countAccountTokenAttempt");
    return this.inner.countAccountTokenAttempt(id);
  }
  consumeAccountToken(id: string, now: number) {
    this.count("consumeAccountToken");
    return this.inner.consumeAccountToken(id, now);
  }
  markRedelivered(sessionId: string, generation: number) {
    this.count("markRedelivered");
    return this.inner.markRedelivered(sessionId, generation);
  }
  findSession(sessionId: string) {
    this.count("findSession");
    return this.inner.findSession(sessionId);
  }
  listActiveSessions(userId: string, now: number) {
    this.count("listActiveSessions");
    return this.inner.listActiveSessions(userId, now);
  }
  changePassword(change: PasswordChange) {
    this.count("changePassword");
    return this.inner.changePassword(change);
  }
  resetPassword(reset: PasswordReset) {
    this.count("resetPassword");
    return this.inner.resetPassword(reset);
  }
  setUserRoles(userId: string, roles: string[], change: RevocationStamp & ProtectedRole) {
    this.count("setUserRoles");
    return this.inner.setUserRoles(userId, roles, change);
  }
  deleteUser(userId: string, change: RevocationStamp & ProtectedRole) {
    this.count("deleteUser");
    return this.inner.deleteUser(userId, change);
  }
  revokeSession(
    sessionId: string,
    change: RevocationStamp & { userId?: string; outbox?: NewOutboxMessage[] },
  ) {
    this.count("revokeSession");
    return this.inner.revokeSession(sessionId, change);
  }
  revokeUserSessionsByAccountToken(userId: string, tokenId: string, change: RevocationStamp) {
    this.count("revokeUserSessionsByAccountToken");
    return this.inner.revokeUserSessionsByAccountToken(userId, tokenId, change);
  }
  revokeUserSessions(userId: string, change: RevocationStamp & { exceptSessionId?: string }) {
    this.count("revokeUserSessions");
    return this.inner.revokeUserSessions(userId, change);
  }
  listRevocations(since: RevocationCursor | null, now: number) {
    this.count("listRevocations");
    return this.inner.listRevocations(since, now);
  }
  listSigningKeys() {
    this.count("listSigningKeys");
    return this.inner.listSigningKeys();
  }
  addSigningKey(key: SigningKeyRecord) {
    this.count("addSigningKey");
    return this.inner.addSigningKey(key);
  }
  retireSigningKey(kid: string, now: number) {
    this.count("retireSigningKey");
    return this.inner.retireSigningKey(kid, now);
  }
  confirmEmail(confirmation: EmailConfirmation) {
    this.count("confirmEmail");
    return this.inner.confirmEmail(confirmation);
  }
  changeEmail(change: EmailChange) {
    this.count("changeEmail");
    return this.inner.changeEmail(change);
  }
  restoreEmail(restore: EmailRestore) {
    this.count("restoreEmail");
    return this.inner.restoreEmail(restore);
  }
  appendAudit(event: AuditRecord, outbox?: NewOutboxMessage[]) {
    this.count("appendAudit");
    return this.inner.appendAudit(event, outbox);
  }
  listAuditEvents(filter: { userId?: string; limit: number }) {
    this.count("listAuditEvents");
    return this.inner.listAuditEvents(filter);
  }
}

/** The same store with a classic bug: it revokes a session whoever the owner named is. */
class CarelessStore extends CountingStore {
  override revokeSession(sessionId: string, change: RevocationStamp & { userId?: string }) {
    return this.inner.revokeSession(sessionId, { ...change, userId: undefined });
  }
}

const counted: CountingStore[] = [];
storeConformance(vitest, "a custom store (counting calls, over SQLite)", async () => {
  const store = new CountingStore(await openStore("sqlite::memory:"));
  counted.push(store);
  return store;
});

it("the suite exercised every method of the custom store", () => {
  const methods = Object.getOwnPropertyNames(CountingStore.prototype).filter(
    (name) => name !== "constructor" && name !== "count",
  );
  expect(methods).toHaveLength(40);
  const called = new Set(counted.flatMap((store) => [...store.calls.keys()]));
  expect(methods.filter((method) => !called.has(method))).toEqual([]);
});

it("fails a store that breaks the contract, naming the broken rule", async () => {
  const run = collectingRunner();
  storeConformance(
    run.api,
    "careless",
    async () => new CarelessStore(await openStore("sqlite::memory:")),
  );
  const { passed, failed } = await run.all();
  expect(failed).toEqual([
    "revokes one session (of its owner only), recording a revocation; revoked sessions do not rotate",
  ]);
  expect(passed).toBeGreaterThan(20);
});

/**
 * Registers the suite's tests instead of handing them to vitest, so that one test can run them
 * all against a broken store and see which fail.
 */
function collectingRunner() {
  const tests: { name: string; body: () => Promise<void> }[] = [];
  const before: (() => Promise<unknown>)[] = [];
  const after: (() => Promise<unknown>)[] = [];
  const api: TestApi = {
    describe: (_name, body) => body(),
    it: (name, body) => tests.push({ name, body }),
    beforeEach: (hook) => before.push(hook),
    afterEach: (hook) => after.push(hook),
    expect: vitest.expect,
  };
  async function all(): Promise<{ passed: number; failed: string[] }> {
    const failed: string[] = [];
    for (const test of tests) {
      try {
        for (const hook of before) await hook();
        await test.body();
      } catch {
        failed.push(test.name);
      } finally {
        for (const hook of after) await hook();
      }
    }
    return { passed: tests.length - failed.length, failed };
  }
  return { api, all };
}

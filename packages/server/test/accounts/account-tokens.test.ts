import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CODE_GUESSES,
  findPresentedToken,
  newAccountToken,
  type AccountTokenParts,
} from "../../src/account-tokens/account-tokens.js";
import { CODE_ALPHABET, displayCode } from "../../src/account-tokens/account-secret.js";
import { AuthError } from "../../src/errors.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store, UserRecord } from "../../src/store/store.js";
import { ManualClock } from "../support/manual-clock.js";

// The rules of a mailed link and code, on a real (SQLite) store: what every flow that mails one
// (password reset, email verification, email change) relies on.

const HALF_HOUR = 1_800_000;
let store: Store;
let clock: ManualClock;
let parts: AccountTokenParts;
let ann: UserRecord;

beforeEach(async () => {
  store = await openStore("sqlite::memory:");
  clock = new ManualClock(Date.parse("2026-12-03T12:00:00Z"));
  parts = { store, key: randomBytes(32), clock };
  ann = (await store.createUser({
    id: "ann",
    email: "ann@example.com",
    name: null,
    passwordHash: "$argon2id$x",
    roles: ["user"],
    createdAt: clock.now(),
  }))!;
});
afterEach(() => store.close());

async function issue(purpose = "password-reset", user = ann) {
  const { secret, record } = newAccountToken(parts, {
    user,
    purpose,
    email: user.email,
    ttlMs: HALF_HOUR,
  });
  await store.issueAccountToken(record, []);
  return { secret, record };
}
const invalid = (promise: Promise<unknown>) =>
  expect(promise).rejects.toSatisfy((e) => e instanceof AuthError && e.code === "LINK_INVALID");

describe("a mailed link and code", () => {
  it("store only keyed hashes: neither the token nor the code is in the record", async () => {
    const { secret, record } = await issue();
    expect(secret.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret.code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{8}$`));
    expect(displayCode(secret.code)).toMatch(/^.{4}-.{4}$/);
    const stored = JSON.stringify(await store.findAccountToken(record.tokenHash));
    expect(stored).not.toContain(secret.token);
    expect(stored).not.toContain(secret.code);
  });

  it("are found by the link, or by the code typed with the address in any case and spacing", async () => {
    const { secret, record } = await issue();
    expect(
      (await findPresentedToken(parts, "password-reset", { token: secret.token })).token.id,
    ).toBe(record.id);
    const typed = `${secret.code.slice(0, 4).toLowerCase()} - ${secret.code.slice(4)}`;
    const found = await findPresentedToken(parts, "password-reset", {
      code: typed,
      email: " ANN@example.com ",
    });
    expect(found).toMatchObject({ token: { id: record.id }, user: { id: "ann" } });
    expect(
      (await findPresentedToken(parts, "password-reset", { code: secret.code, userId: "ann" }))
        .token.id,
    ).toBe(record.id);
  });

  it("expire, and serve one purpose only", async () => {
    const { secret } = await issue();
    await invalid(findPresentedToken(parts, "email-verification", { token: secret.token }));
    clock.advance(HALF_HOUR);
    await invalid(findPresentedToken(parts, "password-reset", { token: secret.token }));
    await invalid(
      findPresentedToken(parts, "password-reset", { code: secret.code, userId: "ann" }),
    );
  });

  it("die when a newer one is mailed, when used, and when the password changes", async () => {
    const first = await issue();
    const second = await issue();
    await invalid(findPresentedToken(parts, "password-reset", { token: first.secret.token }));
    await invalid(
      findPresentedToken(parts, "password-reset", { code: first.secret.code, userId: "ann" }),
    );
    expect(await store.consumeAccountToken(second.record.id, clock.now())).toBe(true);
    await invalid(findPresentedToken(parts, "password-reset", { token: second.secret.token }));

    const third = await issue();
    await store.rehashPassword("ann", {
      passwordHash: "$argon2id$y",
      credentialVersion: 0,
      now: 1,
    });
    await findPresentedToken(parts, "password-reset", { token: third.secret.token }); // a rehash is no change
    const session = {
      id: "s1",
      userId: "ann",
      tokenSalt: "x",
      createdAt: 1,
      expiresAt: clock.now() + 1e9,
      maxExpiresAt: clock.now() + 1e9,
      ip: null,
      userAgent: null,
    };
    await store.createSession(session, "h1", 0);
    const changed = await store.changePassword({
      userId: "ann",
      passwordHash: "$argon2id$z",
      fromCredentialVersion: 0,
      keepSessionId: "s1",
      now: clock.now(),
      reason: "password-changed",
      revocationExpiresAt: clock.now() + 1,
    });
    expect(changed.changed).toBe(true);
    await invalid(findPresentedToken(parts, "password-reset", { token: third.secret.token }));
  });

  it(`allow ${CODE_GUESSES} wrong codes, counted before comparing even when sent at once; then the right one fails too`, async () => {
    const { secret } = await issue();
    const wrong = secret.code === "22222222" ? "33333333" : "22222222";
    const guesses = await Promise.allSettled(
      Array.from({ length: CODE_GUESSES + 3 }, () =>
        findPresentedToken(parts, "password-reset", { code: wrong, userId: "ann" }),
      ),
    );
    expect(guesses.every((guess) => guess.status === "rejected")).toBe(true);
    await invalid(
      findPresentedToken(parts, "password-reset", { code: secret.code, userId: "ann" }),
    );
    // The link still works: only the short code, the guessable form, has a budget.
    await findPresentedToken(parts, "password-reset", { token: secret.token });
  });

  it("the right code within the budget works after wrong ones", async () => {
    const { secret } = await issue();
    for (let i = 0; i < CODE_GUESSES - 1; i++)
      await invalid(
        findPresentedToken(parts, "password-reset", { code: "ZZZZZZZZ", userId: "ann" }),
      );
    await findPresentedToken(parts, "password-reset", { code: secret.code, userId: "ann" });
  });

  it("an unknown address or token is the same LINK_INVALID", async () => {
    await issue();
    await invalid(
      findPresentedToken(parts, "password-reset", {
        code: "ABCDEFGH",
        email: "nobody@example.com",
      }),
    );
    await invalid(
      findPresentedToken(parts, "password-reset", { token: randomBytes(32).toString("base64url") }),
    );
  });
});

import { describe, expect, it } from "vitest";
import { checkRow, missingColumns } from "../../src/cli/import/user-row.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const BCRYPT = `$2b$10$${"a".repeat(22)}${"b".repeat(31)}`;
const ARGON2 =
  "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$T2YQ0g0m0m3w5j3rq0Zp0A0m0m3w5j3rq0Zp0A0m0m0";

const user = (fields: Record<string, unknown>) => {
  const verdict = checkRow(fields, NOW);
  if (!verdict.ok) throw new Error(`${verdict.code}: ${verdict.reason}`);
  return verdict.user;
};
const refusal = (fields: Record<string, unknown>) => {
  const verdict = checkRow(fields, NOW);
  if (verdict.ok) throw new Error("expected a rejection");
  return verdict;
};

// The import reads user tables the way the seed apps (and common ORMs) wrote them.
describe("an import row", () => {
  it.each([
    "password_hash",
    "passwordHash",
    "Password Hash",
    "hashed_password",
    "encrypted_password",
    "password_digest",
    "hash",
    "password",
  ])("takes the hash from a %s column", (column) => {
    expect(user({ email: "a@b.co", [column]: BCRYPT }).passwordHash).toBe(BCRYPT);
  });

  it("prefers an explicit hash column to a `password` column", () => {
    expect(user({ email: "a@b.co", password: "plain", password_hash: BCRYPT }).passwordHash).toBe(
      BCRYPT,
    );
  });

  it("normalises the email as registration does", () => {
    expect(user({ Email: "  Ann@Example.COM ", hash: BCRYPT }).email).toBe("ann@example.com");
  });

  it.each([
    [BCRYPT.replace("$2b$", "$2a$"), true],
    [BCRYPT.replace("$2b$", "$2y$"), true],
    [ARGON2, true],
    [ARGON2.replace("$argon2id$", "$argon2i$"), true],
    [BCRYPT.replace("$2b$", "$2x$"), false],
    [BCRYPT.replace("$10$", "$03$"), false],
    [BCRYPT.slice(0, -1), false],
    ["$1$saltsalt$qjXM5yQ5dEaH3u0yQJ0Jm/", false],
    ["5f4dcc3b5aa765d61d8327deb882cf99", false],
    ["hunter22", false],
  ])("accepts only bcrypt and argon2: %s → %s", (hash, ok) => {
    const verdict = checkRow({ email: "a@b.co", hash }, NOW);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) {
      expect(verdict.code).toBe("HASH_UNSUPPORTED");
      expect(verdict.reason).not.toContain(hash);
    }
  });

  // PHC strings name their parameters, so any order is the same hash: the `argon2` package for
  // Node (seed 003's) writes m,p,t; the PHC spec's examples and @node-rs/argon2 write m,t,p.
  it.each([
    ["m=65536,p=4,t=3", true],
    ["t=3,m=65536,p=4", true],
    ["p=1,t=2,m=19456", true],
    ["m=65536,t=3", false],
    ["m=65536,m=1,t=3,p=4", false],
    ["m=65536,t=3,p=4,keyid=abc", false],
    ["m=65536,t=x,p=4", false],
  ])("takes argon2 parameters %s in any order, each once: %s", (params, ok) => {
    const hash = ARGON2.replace("m=19456,t=2,p=1", params);
    const verdict = checkRow({ email: "a@b.co", hash }, NOW);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) {
      expect(verdict.code).toBe("HASH_UNSUPPORTED");
      expect(verdict.reason).toBe("argon2 parameters must be m, t and p, each once, in any order");
    }
  });

  it.each([
    [{ _id: { $oid: "65f1c0ffee0123456789abcd" } }, "65f1c0ffee0123456789abcd"], // mongoexport
    [{ id: 42 }, "42"], // an SQL serial
    [{ id: "0b7a4c8e-5a0e-4b1e-9a55-3f1f2e0c9d11" }, "0b7a4c8e-5a0e-4b1e-9a55-3f1f2e0c9d11"],
    [{ user_id: "u_17" }, "u_17"],
    [{}, undefined],
  ])("keeps the user's id from %j", (fields, id) => {
    expect(user({ email: "a@b.co", hash: BCRYPT, ...fields }).id).toBe(id);
  });

  it.each([
    [{ id: "a b" }],
    [{ id: "x".repeat(65) }],
    [{ id: 1.5 }],
    [{ _id: { $oid: 7 } }],
    [{ id: true }],
  ])("refuses the id of %j", (fields) => {
    expect(refusal({ email: "a@b.co", hash: BCRYPT, ...fields })).toMatchObject({
      code: "ID_INVALID",
      reason: "id must be 1 to 64 letters, digits and _.:- (or a whole number)",
    });
  });

  it("names the scheme it refuses without quoting the hash", () => {
    expect(refusal({ email: "a@b.co", hash: "$1$saltsalt$qjXM5yQ5dEaH3u0yQJ0Jm/" }).reason).toBe(
      "unsupported hash scheme $1$ (bcrypt or argon2 only)",
    );
    expect(refusal({ email: "a@b.co" }).code).toBe("HASH_MISSING");
  });

  it.each([
    [{ name: "Ada" }, "Ada"],
    [{ fullName: "Ada Lovelace" }, "Ada Lovelace"],
    [{ first_name: "Ada", last_name: "Lovelace" }, "Ada Lovelace"],
    [{ firstName: "Ada" }, "Ada"],
    [{}, null],
  ])("reads the name from %j", (fields, name) => {
    expect(user({ email: "a@b.co", hash: BCRYPT, ...fields }).name).toBe(name);
  });

  it.each([
    [undefined, ["user"]],
    ["", ["user"]],
    [[], ["user"]],
    ["admin", ["admin"]],
    [
      ["admin", "user"],
      ["admin", "user"],
    ],
    ["admin,user", ["admin", "user"]],
    ["admin; user", ["admin", "user"]],
    ["admin|user|admin", ["admin", "user"]],
    ['["doctor","admin"]', ["doctor", "admin"]],
  ])("reads roles %j as %j", (roles, expected) => {
    expect(user({ email: "a@b.co", hash: BCRYPT, roles }).roles).toEqual(expected);
    expect(user({ email: "a@b.co", hash: BCRYPT, role: roles }).roles).toEqual(expected);
  });

  it.each([["ad min!"], [["admin", 3]], ["[broken"]])("refuses roles %j", (roles) => {
    expect(refusal({ email: "a@b.co", hash: BCRYPT, roles }).code).toBe("ROLES_INVALID");
  });

  it.each([
    ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z"],
    ["2024-01-02T04:04:05+01:00", "2024-01-02T03:04:05.000Z"],
    ["2024-01-02 03:04:05", "2024-01-02T03:04:05.000Z"], // SQL datetime: UTC, not local time
    [1704164645, "2024-01-02T03:04:05.000Z"], // epoch seconds
    [1704164645000, "2024-01-02T03:04:05.000Z"], // epoch milliseconds
    ["1704164645", "2024-01-02T03:04:05.000Z"],
    [{ $date: "2024-01-02T03:04:05Z" }, "2024-01-02T03:04:05.000Z"], // MongoDB extended JSON
    [{ $date: { $numberLong: "1704164645000" } }, "2024-01-02T03:04:05.000Z"],
  ])("reads the creation date %j", (createdAt, iso) => {
    expect(
      new Date(
        user({ email: "a@b.co", hash: BCRYPT, created_at: createdAt }).createdAt,
      ).toISOString(),
    ).toBe(iso);
  });

  it("defaults the creation date to now, and refuses what is not a date", () => {
    expect(user({ email: "a@b.co", hash: BCRYPT }).createdAt).toBe(NOW);
    for (const createdAt of ["soon", "2999-01-01T00:00:00Z", -5, { $date: "x" }])
      expect(refusal({ email: "a@b.co", hash: BCRYPT, createdAt }).code).toBe("CREATED_AT_INVALID");
  });

  it("reads whether the old app had verified the address: yes/no, or when", () => {
    expect(user({ email: "a@b.co", hash: BCRYPT }).emailVerifiedAt).toBeUndefined();
    for (const yes of [true, 1, "TRUE", "yes", " 1 "])
      expect(user({ email: "a@b.co", hash: BCRYPT, email_verified: yes }).emailVerifiedAt).toBe(
        NOW,
      );
    for (const no of [false, 0, "false", "no", ""])
      expect(user({ email: "a@b.co", hash: BCRYPT, isVerified: no }).emailVerifiedAt).toBeNull();
    expect(
      user({ email: "a@b.co", hash: BCRYPT, confirmed_at: "2024-01-02T03:04:05Z" }).emailVerifiedAt,
    ).toBe(Date.parse("2024-01-02T03:04:05Z"));
    expect(refusal({ email: "a@b.co", hash: BCRYPT, verified: "maybe" }).code).toBe(
      "EMAIL_VERIFIED_INVALID",
    );
  });

  it("refuses a missing or malformed email, and a name that is too long", () => {
    expect(refusal({ hash: BCRYPT })).toMatchObject({ code: "EMAIL_INVALID", reason: "no email" });
    expect(refusal({ email: 42, hash: BCRYPT }).code).toBe("EMAIL_INVALID");
    expect(refusal({ email: "a@b", hash: BCRYPT })).toMatchObject({
      code: "EMAIL_INVALID",
      email: "a@b",
    });
    expect(refusal({ email: "a@b.co", hash: BCRYPT, name: "x".repeat(101) }).code).toBe(
      "NAME_INVALID",
    );
  });

  it("tells which required CSV columns a header lacks", () => {
    expect(missingColumns(["E-mail", "Password Hash"])).toEqual([]);
    expect(missingColumns(["mail", "name"])).toEqual(["password_hash (or password, hash)"]);
    expect(missingColumns(["id"])).toHaveLength(2);
  });
});

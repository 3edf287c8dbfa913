import { describe, expect, it } from "vitest";
import { readBearerToken } from "@baton/verify/kernel";
import { normalizeEmail, normalizeName, normalizeRoles } from "../../src/users/user-fields.js";
import { assertAcceptablePassword } from "../../src/passwords/password-policy.js";
import { PasswordHasher } from "../../src/passwords/password-hasher.js";
import { hash as bcryptHash } from "@node-rs/bcrypt";

describe("Authorization: Bearer parsing (RFC 6750 §2.1)", () => {
  it.each([
    "Bearer abc.def.ghi",
    "bearer abc.def.ghi",
    "BEARER   abc.def.ghi",
    "Bearer abc.def.ghi ",
  ])("accepts %j", (header) => expect(readBearerToken(header)).toBe("abc.def.ghi"));
  it.each([undefined, "", "Basic dXNlcjpwYXNz", "Token abc"])("%j is TOKEN_MISSING", (header) =>
    expect(() => readBearerToken(header)).toThrow(
      expect.objectContaining({ code: "TOKEN_MISSING" }),
    ),
  );
  it.each(["Bearer", "Bearer a b", "Bearer\tabc", "Bearer abc;def", "Bearer <script>"])(
    "%j is TOKEN_INVALID",
    (header) =>
      expect(() => readBearerToken(header)).toThrow(
        expect.objectContaining({ code: "TOKEN_INVALID" }),
      ),
  );
  it("refuses more than one Authorization header", () =>
    expect(() => readBearerToken("Bearer abc", 2)).toThrow(
      expect.objectContaining({ code: "TOKEN_INVALID" }),
    ));
});

describe("account fields", () => {
  it("normalises emails so variants cannot become two accounts", () => {
    expect(normalizeEmail("  Ada@Example.COM ")).toBe("ada@example.com");
    expect(normalizeEmail("ａｄａ@example.com")).toBe("ada@example.com"); // full-width letters (NFKC)
    // The trailing dot of a fully qualified domain (RFC 1034 §3.1): the same host, one mailbox.
    expect(normalizeEmail("ada@example.com.")).toBe("ada@example.com");
    expect(normalizeEmail(" Ada@Example.COM. ")).toBe("ada@example.com");
    expect(normalizeEmail("ada@example.com．")).toBe("ada@example.com"); // full-width dot (NFKC)
    expect(normalizeEmail("ada.@example.com")).toBe("ada.@example.com"); // the local part is not a domain
    for (const bad of [
      "ada",
      "ada@",
      "@example.com",
      "a b@example.com",
      "ada@example",
      "a\u0000@example.com",
      `${"a".repeat(250)}@example.com`,
      // A domain with an empty label names no host.
      "ada@example..com",
      "ada@.example.com",
      "ada@example.com..",
      "ada@example.",
      "ada@.",
    ]) {
      expect(() => normalizeEmail(bad), bad).toThrow(
        expect.objectContaining({ code: "VALIDATION_FAILED" }),
      );
    }
  });
  it("names: trimmed, empty is none, no control characters", () => {
    expect(normalizeName("  Ada  ")).toBe("Ada");
    expect(normalizeName("")).toBeNull();
    expect(() => normalizeName("a\r\nb")).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
  });
  it("roles: safe names, deduplicated", () => {
    expect(normalizeRoles(["user", "staff", "user"])).toEqual(["user", "staff"]);
    expect(() => normalizeRoles(["bad role"])).toThrow(
      expect.objectContaining({ code: "VALIDATION_FAILED" }),
    );
  });
  it("passwords: 8 to 256 characters, counted as code points", () => {
    expect(() => assertAcceptablePassword("1234567")).toThrow();
    expect(() => assertAcceptablePassword("😀".repeat(8))).not.toThrow();
    expect(() => assertAcceptablePassword("x".repeat(256))).not.toThrow();
    expect(() => assertAcceptablePassword("x".repeat(257))).toThrow();
  });
});

describe("password hashing", () => {
  const hasher = new PasswordHasher();
  it("uses argon2id with OWASP parameters and checks the whole password (no 72-byte truncation)", async () => {
    const long = "p".repeat(100);
    const hash = await hasher.hash(long);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, long)).toBe(true);
    expect(await hasher.verify(hash, `${"p".repeat(99)}q`)).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });
  it("verifies imported bcrypt hashes and asks for a rehash", async () => {
    const hash = await bcryptHash("legacy password", { cost: 4 });
    expect(await hasher.verify(hash, "legacy password")).toBe(true);
    expect(await hasher.verify(hash, "wrong")).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(true);
  });
  it("a malformed stored hash verifies nothing", async () => {
    expect(await hasher.verify("$argon2id$garbage", "x")).toBe(false);
    expect(await hasher.verify("plain-text", "plain-text")).toBe(false);
  });
});

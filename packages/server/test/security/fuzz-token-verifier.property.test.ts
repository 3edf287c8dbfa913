// Tests reach a Baton's core (signing keys included) the way the adapters do: it is not public API.
import { coreOf } from "../../src/baton-internals.js";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "@baton/server";
import { signUp, startTestServer, type Adapter, type TestServer } from "../support/test-server.js";
import {
  b64url,
  claimsOf,
  expectDocumentedError,
  forgeJwt,
  rawRequest,
  serverKeys,
  type Signer,
} from "./support/attack-kit.js";

// Property-based fuzzing of the access-token verifier. Two oracles: (1) no mutation of a valid
// token verifies, and (2) for tokens built field by field from valid and invalid values, the
// verifier accepts exactly when a model of the rules (RFC 8725, RFC 9068, Baton's claim types)
// says it must. Plus arbitrary Authorization headers over HTTP through both adapters.

const attackerKey = generateKeyPairSync("ed25519").privateKey;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const LEEWAY_S = 5;

let server: TestServer;
let token: string;
let keys: { kid: string; privateKey: KeyObject; publicKey: KeyObject };
let issuer: string;
let audience: string;
const nowSec = () => Math.floor(server.clock.now() / 1000);
const verify = (candidate: string) => coreOf(server.baton).accessTokens.verify(candidate);

beforeAll(async () => {
  server = await startTestServer("fastify");
  token = (await signUp(server, "ada@example.com")).accessToken;
  keys = serverKeys(server);
  ({ issuer, audience } = server.baton.config);
});
afterAll(() => server.close());

/** Resolves to the error code, or "accepted". */
async function outcome(candidate: string): Promise<string> {
  try {
    await verify(candidate);
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).code;
  }
}

describe("mutations of a valid token", () => {
  type Mutation =
    | { kind: "replace" | "insert"; at: number; char: string }
    | { kind: "delete" | "truncate"; at: number }
    | { kind: "swap"; a: number; b: number }
    | { kind: "flipBit"; segment: number; bit: number };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({
      kind: fc.constantFrom("replace" as const, "insert" as const),
      at: fc.nat(),
      char: fc.constantFrom(...`${ALPHABET}.=+/ `),
    }),
    fc.record({ kind: fc.constantFrom("delete" as const, "truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("swap" as const), a: fc.nat(2), b: fc.nat(2) }),
    fc.record({ kind: fc.constant("flipBit" as const), segment: fc.nat(2), bit: fc.nat() }),
  );

  function apply(text: string, change: Mutation): string {
    switch (change.kind) {
      case "replace": {
        const at = change.at % text.length;
        return text.slice(0, at) + change.char + text.slice(at + 1);
      }
      case "insert": {
        const at = change.at % (text.length + 1);
        return text.slice(0, at) + change.char + text.slice(at);
      }
      case "delete": {
        const at = change.at % text.length;
        return text.slice(0, at) + text.slice(at + 1);
      }
      case "truncate":
        return text.slice(0, change.at % text.length);
      case "swap": {
        const parts = text.split(".");
        if (parts.length !== 3) return text;
        [parts[change.a], parts[change.b]] = [parts[change.b]!, parts[change.a]!];
        return parts.join(".");
      }
      case "flipBit": {
        const parts = text.split(".");
        const bytes = Buffer.from(parts[change.segment] ?? "", "base64url");
        if (bytes.length === 0) return text;
        const bit = change.bit % (bytes.length * 8);
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        parts[change.segment] = b64url(bytes);
        return parts.join(".");
      }
    }
  }

  it("3,000 mutated tokens (character edits, bit flips, segment swaps): none verifies — RFC 8725 §3.3, RFC 7515 §5.2", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (changes) => {
        const mutated = changes.reduce(apply, token);
        fc.pre(mutated !== token);
        expect(await outcome(mutated)).toBe("TOKEN_INVALID");
      }),
      { numRuns: 3_000 },
    );
    expect(await outcome(token)).toBe("accepted");
  });
});

describe("a model of the verification rules", () => {
  const MISSING = Symbol("missing");
  type Field<T> = { value: T | typeof MISSING; valid: boolean };
  const valid = <T>(arbitrary: fc.Arbitrary<T>) =>
    arbitrary.map((value): Field<T> => ({ value, valid: true }));
  const invalid = <T>(arbitrary: fc.Arbitrary<T>) =>
    arbitrary.map((value): Field<T> => ({ value, valid: false }));
  const missing = (isValid: boolean) => fc.constant({ value: MISSING, valid: isValid });
  const field = <T>(good: fc.Arbitrary<Field<T>>, ...bad: fc.Arbitrary<Field<unknown>>[]) =>
    fc.oneof(
      { weight: 12, arbitrary: good },
      ...bad.map((arbitrary) => ({ weight: 1, arbitrary })),
    );

  /** Time claims relative to the clock; their validity is decided when the token is checked. */
  type Timed = { offset: number } | { raw: unknown } | typeof MISSING;

  const spec = fc.record({
    alg: field(
      valid(fc.constant("EdDSA")),
      invalid(fc.constantFrom("none", "HS256", "RS256", "ES256", "Ed25519", "eddsa", "EDDSA")),
    ),
    kid: field(
      valid(fc.constant("real")),
      invalid(fc.oneof(fc.string({ maxLength: 20 }), fc.constant(1))),
      missing(false),
    ),
    typ: field(
      valid(fc.constantFrom("at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt")),
      invalid(
        fc.constantFrom("JWT", "jwt", "at+jwt ", "at+jwt; q=1", "dpop+jwt", "application/jwt"),
      ),
      missing(false),
    ),
    extraHeader: field(
      valid(
        fc.constantFrom({}, { jku: "http://127.0.0.1:9/jwks" }, { x5u: "http://127.0.0.1:9/x" }),
      ),
      invalid(
        fc.constantFrom(
          { crit: ["x-unknown"], "x-unknown": 1 },
          { crit: [] },
          { crit: ["b64"], b64: false },
        ),
      ),
    ),
    signer: fc.oneof(
      { weight: 12, arbitrary: fc.constant("real" as const) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "none" as const,
          "attacker" as const,
          "hmac-public-key" as const,
        ),
      },
    ),
    iss: field(
      valid(fc.constant("issuer")),
      invalid(fc.constantFrom("evil", ["issuer"], 1)),
      missing(false),
    ),
    aud: field(
      valid(fc.constant("audience")),
      invalid(fc.constantFrom("other", ["audience"], ["audience", "other"], 2)),
      missing(false),
    ),
    sub: field(
      valid(fc.string({ minLength: 1, maxLength: 40 })),
      invalid(fc.constantFrom("", 5, null, ["a"])),
      missing(false),
    ),
    sid: field(
      valid(fc.string({ minLength: 1, maxLength: 40 })),
      invalid(fc.constantFrom("", 5, {}, true)),
      missing(false),
    ),
    roles: field(
      valid(fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 })),
      invalid(fc.constantFrom("admin", [1], [null], {})),
      missing(false),
    ),
    ver: field(
      valid(fc.integer({ min: -5, max: 1_000_000 })),
      invalid(fc.constantFrom("0", 1.5, null, 2 ** 60)),
      missing(false),
    ),
    jti: field(
      valid(fc.string({ maxLength: 30 })),
      invalid(fc.constantFrom(7, null, ["j"])),
      missing(false),
    ),
    iat: fc.oneof(
      {
        weight: 12,
        arbitrary: fc.integer({ min: -1_000, max: 15 }).map((offset): Timed => ({ offset })),
      },
      { weight: 1, arbitrary: fc.constantFrom<Timed>({ raw: "now" }, { raw: 1.5 }, MISSING) },
    ),
    exp: fc.oneof(
      {
        weight: 12,
        arbitrary: fc.integer({ min: -15, max: 2_000 }).map((offset): Timed => ({ offset })),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Timed>({ raw: "later" }, { raw: 1e21 }, { raw: 0.5 }, MISSING),
      },
    ),
    nbf: fc.oneof(
      { weight: 8, arbitrary: fc.constant<Timed>(MISSING) },
      {
        weight: 4,
        arbitrary: fc.integer({ min: -15, max: 15 }).map((offset): Timed => ({ offset })),
      },
      { weight: 1, arbitrary: fc.constantFrom<Timed>({ raw: "soon" }) },
    ),
    extraClaims: fc.dictionary(
      fc.constantFrom("scope", "client_id", "x", "nonce"),
      fc.jsonValue({ maxDepth: 1 }),
      { maxKeys: 2 },
    ),
  });
  type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

  function build(
    s: Spec,
    now: number,
  ): { jwt: string; shouldAccept: boolean; expiredOnly: boolean } {
    const put = (
      target: Record<string, unknown>,
      name: string,
      f: Field<unknown>,
      replace?: unknown,
    ) => {
      if (f.value !== MISSING) target[name] = replace ?? f.value;
    };
    const header: Record<string, unknown> = { ...(s.extraHeader.value as object) };
    put(header, "alg", s.alg);
    put(header, "kid", s.kid, s.kid.valid ? keys.kid : undefined);
    put(header, "typ", s.typ);
    const payload: Record<string, unknown> = { ...s.extraClaims };
    // "issuer" and "audience" stand for the configured values, also inside invalid arrays.
    const configured = (f: Field<unknown>, real: string) =>
      f.valid
        ? real
        : Array.isArray(f.value)
          ? f.value.map((v) => (v === "issuer" || v === "audience" ? real : v))
          : f.value;
    if (s.iss.value !== MISSING) payload.iss = configured(s.iss, issuer);
    if (s.aud.value !== MISSING) payload.aud = configured(s.aud, audience);
    for (const name of ["sub", "sid", "roles", "ver", "jti"] as const) put(payload, name, s[name]);
    const time = (name: string, t: Timed) => {
      if (t === MISSING) return;
      payload[name] = "offset" in t ? now + t.offset : t.raw;
    };
    time("iat", s.iat);
    time("exp", s.exp);
    time("nbf", s.nbf);

    const signer: Signer =
      s.signer === "real"
        ? { key: keys.privateKey }
        : s.signer === "attacker"
          ? { key: attackerKey }
          : s.signer === "none"
            ? { none: true }
            : { hmac: keys.publicKey.export({ type: "spki", format: "pem" }).toString() };

    const timeOk = (t: Timed, rule: (value: number) => boolean, required: boolean) =>
      t === MISSING ? !required : "offset" in t ? rule(now + t.offset) : false;
    const exp = s.exp;
    const expIsPast = exp !== MISSING && "offset" in exp && now + exp.offset <= now - LEEWAY_S;
    const structural =
      s.signer === "real" &&
      [s.alg, s.kid, s.typ, s.extraHeader, s.iss, s.aud, s.sub, s.sid, s.roles, s.ver, s.jti].every(
        (f) => f.valid,
      ) &&
      timeOk(s.iat, (iat) => iat <= now + LEEWAY_S, true) &&
      timeOk(s.nbf, (nbf) => nbf <= now + LEEWAY_S, false) &&
      exp !== MISSING &&
      "offset" in exp;
    return {
      jwt: forgeJwt(header, payload, signer),
      shouldAccept: structural && !expIsPast,
      expiredOnly: structural && expIsPast,
    };
  }

  it("2,000 tokens built from valid and invalid parts: accepted exactly when the rules say so — RFC 8725 §3, RFC 9068 §4, RFC 7519 §4.1", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const now = nowSec();
        const { jwt, shouldAccept, expiredOnly } = build(s, now);
        const result = await outcome(jwt);
        const report = `${result} for ${JSON.stringify(
          jwt
            .split(".")
            .slice(0, 2)
            .map((part) => Buffer.from(part, "base64url").toString()),
        )}`;
        if (shouldAccept) {
          expect(result, report).toBe("accepted");
          accepted++;
        } else if (expiredOnly) expect(result, report).toBe("TOKEN_EXPIRED");
        else {
          expect(["TOKEN_INVALID", "TOKEN_EXPIRED"], report).toContain(result);
          // TOKEN_EXPIRED tells a client to refresh: it must never be said of a live token.
          if (result === "TOKEN_EXPIRED") {
            const exp =
              s.exp === MISSING ? undefined : "offset" in s.exp ? now + s.exp.offset : s.exp.raw;
            expect(typeof exp === "number" && exp <= now - LEEWAY_S, report).toBe(true);
          }
        }
      }),
      { numRuns: 2_000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });
});

describe.each<Adapter>(["fastify", "express"])(
  "arbitrary Authorization headers over HTTP through %s",
  (adapter) => {
    let target: TestServer;
    let valid: string;
    beforeAll(async () => {
      target = adapter === "fastify" ? server : await startTestServer(adapter);
      valid = adapter === "fastify" ? token : (await signUp(target, "ada@example.com")).accessToken;
    });
    afterAll(async () => {
      if (target !== server) await target.close();
    });

    it("300 generated headers: 200 only for the valid token, otherwise a documented 401 — RFC 6750 §2.1, §3.1", async () => {
      const value = fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.string({ maxLength: 120 }).map((text) => `Bearer ${text}`),
        fc
          .tuple(
            fc.constantFrom("Bearer ", "bearer ", "BEARER  ", "Bearer\t", "Token ", ""),
            fc.nat(),
            fc.constantFrom(...ALPHABET, ".", " ", "="),
          )
          .map(
            ([scheme, at, char]) =>
              `${scheme}${valid.slice(0, at % valid.length)}${char}${valid.slice(at % valid.length)}`,
          ),
        fc.constantFrom(`Bearer ${valid}`, `bearer ${valid}`, `Bearer  ${valid} `),
      );
      await fc.assert(
        fc.asyncProperty(value, async (header) => {
          const response = await rawRequest(target.url, "GET", "/api/private", [
            ["authorization", header],
          ]);
          const bearer = /^bearer +([^ ]+) *$/i.exec(header.trim())?.[1];
          if (response.status === 200) expect(bearer).toBe(valid);
          else {
            expectDocumentedError(response);
            expect(["TOKEN_MISSING", "TOKEN_INVALID"]).toContain(response.body.error.code);
          }
        }),
        { numRuns: 300 },
      );
    });

    it("claims of an accepted token are the ones signed — RFC 7519 §7.2", async () => {
      const response = await rawRequest(target.url, "GET", "/api/private", [
        ["authorization", `Bearer ${valid}`],
      ]);
      expect(response.body.auth.userId).toBe(claimsOf(valid).sub);
    });
  },
);

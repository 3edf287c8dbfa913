// Tests reach a Baton's core (signing keys included) the way the adapters do: it is not public API.
import { coreOf } from "../../src/baton-internals.js";
import {
  constants,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import BetterSqlite3 from "better-sqlite3";
import { calculateJwkThumbprint, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBaton, type ErrorCode } from "@baton/server";
import { reloadSigningKeys } from "../../src/maintenance/key-rotation.js";
import { storeNewSigningKey } from "../../src/tokens/stored-key-ring.js";
import { signUp, startTestServer, type Adapter, type TestServer } from "../support/test-server.js";
import {
  b64url,
  claimsOf,
  databaseFile,
  expectError,
  forgeJwt,
  rawRequest,
  segment,
  serverKeys,
  type RawResponse,
} from "./support/attack-kit.js";

// Access-token forgery and confusion: every request goes over real HTTP to Baton's own route
// (/api/auth/me) and to the host app's requireAuth() route (/api/private), through both adapters,
// against a server signing with each key type of its key ring (JWT_ALG EdDSA, ES256, RS256).

/** Keys the attacker owns. */
const attacker = {
  ed25519: generateKeyPairSync("ed25519"),
  rsa: generateKeyPairSync("rsa", { modulusLength: 2048 }),
  ec: generateKeyPairSync("ec", { namedCurve: "P-256" }),
};

type KeyType = "EdDSA" | "ES256" | "RS256";
/** Per key type: the attacker's key of that type, its digest for node:crypto, its signature size. */
const KEY_TYPES = {
  EdDSA: { attackerKey: attacker.ed25519, digest: null, signatureBytes: 64 },
  ES256: { attackerKey: attacker.ec, digest: "sha256", signatureBytes: 64 },
  RS256: { attackerKey: attacker.rsa, digest: "sha256", signatureBytes: 256 },
} as const;

interface Context {
  server: TestServer;
  /** The algorithm of the server's signing key, and how that key signs. */
  alg: KeyType;
  digest: "sha256" | null;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** A valid access token of the victim, and its decoded claims. */
  token: string;
  claims: Record<string, unknown>;
  /** Another valid token of the victim (a second session). */
  otherToken: string;
  refreshToken: string;
  /** The attacker's JWKS endpoint and how often anyone fetched anything from it. */
  jwksUrl: string;
  fetches: () => number;
  nowSec: () => number;
}

/** `refusedByHttpParser`: Node answers 431 or drops the connection before Baton sees anything. */
type Expectation = ErrorCode | "accepted" | "refusedByHttpParser";

interface Case {
  attack: string;
  source: string;
  /** Only against servers signing with these key types (default: all). */
  keyTypes?: readonly KeyType[];
  /** Authorization header value(s); several values are sent as several headers. */
  authorization: (ctx: Context) => string | string[] | Promise<string | string[]>;
  expect: Expectation;
  /** Extra checks on an accepted response from /api/private. */
  check?: (body: any, ctx: Context) => void;
}

const bearer = (token: string) => `Bearer ${token}`;
const header = (ctx: Context, extra: Record<string, unknown> = {}) => ({
  alg: ctx.alg,
  kid: ctx.kid,
  typ: "at+jwt",
  ...extra,
});
/** Fresh, valid claims for the victim's session, with `changes` applied (undefined removes). */
const claims = (ctx: Context, changes: Record<string, unknown> = {}) => {
  const now = ctx.nowSec();
  const result: Record<string, unknown> = {
    ...ctx.claims,
    iat: now,
    exp: now + 900,
    jti: b64url(randomBytes(16)),
  };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
};
/** Signed with the server's real key: only the claims or header under test are wrong. */
const real = (ctx: Context, head: object | string, payload: object | string) =>
  bearer(forgeJwt(head, payload, { key: ctx.privateKey, digest: ctx.digest }));
/** Signed by the attacker's own key of the server's key type: only the key is wrong. */
const attackers = (ctx: Context) => ({
  key: KEY_TYPES[ctx.alg].attackerKey.privateKey,
  digest: ctx.digest,
});
const parts = (token: string) => token.split(".") as [string, string, string];
const publicPem = (ctx: Context) =>
  ctx.publicKey.export({ type: "spki", format: "pem" }).toString();
const publicJwk = (ctx: Context) => ctx.publicKey.export({ format: "jwk" }) as JWK;
const attackerPublicKey = (ctx: Context) => KEY_TYPES[ctx.alg].attackerKey.publicKey;
const attackerKid = async (ctx: Context) =>
  calculateJwkThumbprint(attackerPublicKey(ctx).export({ format: "jwk" }));
/** The public key's own bytes: `x` of an OKP or EC key, `n` of an RSA key. */
const rawPublicKey = (ctx: Context) => publicJwk(ctx).x ?? publicJwk(ctx).n!;

const NONE =
  "RFC 8725 §2.1, §3.1; CVE-2022-23540 (jsonwebtoken); jwt_tool -X a; PortSwigger lab 'flawed signature verification'";
const CONFUSION =
  "RFC 8725 §2.1, §3.1; CVE-2015-9235 (jsonwebtoken), CVE-2016-10555 (jwt-simple), CVE-2022-23541 (jsonwebtoken); jwt_tool -X k; PortSwigger lab 'algorithm confusion'";
const KID = "RFC 8725 §3.10; jwt_tool -I -hc kid; PortSwigger lab 'kid header path traversal'";
const HEADER_KEYS = "RFC 8725 §2.9, §3.10; jwt_tool -X s / -X i";

const cases: Case[] = [
  // ── alg: none ──────────────────────────────────────────────────────────────────────────
  ...["none", "None", "NONE", "nOnE"].map<Case>((alg) => ({
    attack: `alg:"${alg}" with an empty signature is refused`,
    source: NONE,
    authorization: (ctx) => bearer(forgeJwt(header(ctx, { alg }), claims(ctx), { none: true })),
    expect: "TOKEN_INVALID",
  })),
  {
    attack: "alg:none keeping the original signature is refused",
    source: NONE,
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "none" }), claims(ctx), { signature: parts(ctx.token)[2] }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "alg:none as a two-segment token (no trailing dot) is refused",
    source: NONE,
    authorization: (ctx) =>
      bearer(`${segment(header(ctx, { alg: "none" }))}.${segment(claims(ctx))}`),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a header without alg is refused",
    source: "RFC 7515 §4.1.1; RFC 8725 §3.1",
    authorization: (ctx) => real(ctx, { kid: ctx.kid, typ: "at+jwt" }, claims(ctx)),
    expect: "TOKEN_INVALID",
  },

  // ── algorithm confusion: HMAC keyed with the public key ───────────────────────────────
  {
    attack: "HS256 signed with the PEM public key (with its newline) is refused",
    source: CONFUSION,
    authorization: (ctx) =>
      bearer(forgeJwt(header(ctx, { alg: "HS256" }), claims(ctx), { hmac: publicPem(ctx) })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "HS256 signed with the PEM public key (trimmed) is refused",
    source: CONFUSION,
    authorization: (ctx) =>
      bearer(forgeJwt(header(ctx, { alg: "HS256" }), claims(ctx), { hmac: publicPem(ctx).trim() })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "HS256 signed with the DER (SPKI) public key is refused",
    source: CONFUSION,
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "HS256" }), claims(ctx), {
          hmac: ctx.publicKey.export({ type: "spki", format: "der" }),
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "HS256 signed with the raw public key bytes (x; n for RSA) is refused",
    source: CONFUSION,
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "HS256" }), claims(ctx), {
          hmac: Buffer.from(rawPublicKey(ctx), "base64url"),
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "HS256 signed with the JWKS entry (JSON text) is refused",
    source: CONFUSION,
    authorization: async (ctx) => {
      const jwks = (await ctx.server.client().get("/.well-known/jwks.json")).body;
      return bearer(
        forgeJwt(header(ctx, { alg: "HS256" }), claims(ctx), {
          hmac: JSON.stringify(jwks.keys[0]),
        }),
      );
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "HS256 signed with the JWK's base64url x (n for RSA) value is refused",
    source: CONFUSION,
    authorization: (ctx) =>
      bearer(forgeJwt(header(ctx, { alg: "HS256" }), claims(ctx), { hmac: rawPublicKey(ctx) })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "HS512 signed with the PEM public key is refused",
    source: CONFUSION,
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "HS512" }), claims(ctx), {
          hmac: publicPem(ctx),
          hash: "sha512",
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "RS256 signed by the attacker's RSA key under the real kid is refused",
    source: "RFC 8725 §3.1; CVE-2022-23539 (jsonwebtoken insecure key types)",
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "RS256" }), claims(ctx), {
          key: attacker.rsa.privateKey,
          digest: "sha256",
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "ES256 signed by the attacker's P-256 key under the real kid is refused",
    source: "RFC 8725 §3.1; CVE-2022-23539 (jsonwebtoken insecure key types)",
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "ES256" }), claims(ctx), {
          key: attacker.ec.privateKey,
          digest: "sha256",
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "EdDSA signed by the attacker's Ed25519 key under the real kid is refused",
    source: "RFC 8725 §3.1 (the key of a kid verifies with its own algorithm only)",
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "EdDSA" }), claims(ctx), { key: attacker.ed25519.privateKey }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack:
      'alg:"Ed25519" (RFC 9864 name) signed with the real key is refused: the algorithm is pinned',
    source: "RFC 8725 §3.1; RFC 9068 §4",
    authorization: (ctx) => real(ctx, header(ctx, { alg: "Ed25519" }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  // The real key, signing under another algorithm its key type could sign with.
  ...(
    [
      ["ES256", "ES384", { digest: "sha384" }],
      ["ES256", "ES512", { digest: "sha512" }],
      ["RS256", "RS512", { digest: "sha512" }],
      ["RS256", "PS256", { digest: "sha256", padding: constants.RSA_PKCS1_PSS_PADDING }],
    ] as const
  ).map<Case>(([keyType, alg, how]) => ({
    attack: `alg:"${alg}" signed with the real ${keyType} key is refused: the algorithm is pinned`,
    source: "RFC 8725 §3.1; RFC 7518 §3.1",
    keyTypes: [keyType],
    authorization: (ctx) => {
      const input = `${segment(header(ctx, { alg }))}.${segment(claims(ctx))}`;
      const signature = cryptoSign(how.digest, Buffer.from(input), {
        key: ctx.privateKey,
        dsaEncoding: "ieee-p1363",
        ...("padding" in how && { padding: how.padding }),
      });
      return bearer(`${input}.${b64url(signature)}`);
    },
    expect: "TOKEN_INVALID",
  })),

  // ── kid injection ─────────────────────────────────────────────────────────────────────
  {
    attack: "kid path traversal to /dev/null with an HS256 empty-key signature is refused",
    source: KID,
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "HS256", kid: "../../../../../../../dev/null" }), claims(ctx), {
          hmac: Buffer.alloc(0),
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "kid path traversal to the key file, signed with the attacker's key, is refused",
    source: KID,
    authorization: (ctx) =>
      bearer(forgeJwt(header(ctx, { kid: `../../data/${ctx.kid}` }), claims(ctx), attackers(ctx))),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "kid SQL injection (UNION SELECT a known secret) is refused",
    source: KID,
    authorization: (ctx) =>
      bearer(
        forgeJwt(
          header(ctx, { alg: "HS256", kid: "x' UNION SELECT 'attacker-secret' -- " }),
          claims(ctx),
          { hmac: "attacker-secret" },
        ),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "kid command injection is refused",
    source: KID,
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx, { alg: "HS256", kid: "key.pem|id; curl evil.example" }), claims(ctx), {
          hmac: "",
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  ...["__proto__", "constructor", "toString"].map<Case>((kid) => ({
    attack: `kid "${kid}" (an Object.prototype name) finds no key`,
    source: "RFC 8725 §3.10; CVE-2022-23529 class (attacker-chosen key lookup)",
    authorization: (ctx) =>
      bearer(forgeJwt(header(ctx, { alg: "HS256", kid }), claims(ctx), { hmac: "" })),
    expect: "TOKEN_INVALID",
  })),
  {
    attack: "an unknown kid, signed by the attacker's key, is refused",
    source: KID,
    authorization: async (ctx) =>
      bearer(forgeJwt(header(ctx, { kid: await attackerKid(ctx) }), claims(ctx), attackers(ctx))),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a header without kid, signed with the real key, is refused",
    source: "RFC 8725 §3.1 (the key is chosen by kid, never guessed)",
    authorization: (ctx) => real(ctx, { alg: ctx.alg, typ: "at+jwt" }, claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a kid of the wrong JSON type (number), signed with the real key, is refused",
    source: KID,
    authorization: (ctx) => real(ctx, header(ctx, { kid: 1 }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "HS256 keyed with the kid string itself is refused",
    source: KID,
    authorization: (ctx) =>
      bearer(forgeJwt(header(ctx, { alg: "HS256" }), claims(ctx), { hmac: ctx.kid })),
    expect: "TOKEN_INVALID",
  },

  // ── keys named by the token: jku, x5u, jwk, x5c ───────────────────────────────────────
  {
    attack: "jku pointing at the attacker's JWKS is refused and never fetched",
    source: `${HEADER_KEYS}; PortSwigger lab 'jku header injection'`,
    authorization: async (ctx) =>
      bearer(
        forgeJwt(
          header(ctx, { kid: await attackerKid(ctx), jku: ctx.jwksUrl }),
          claims(ctx),
          attackers(ctx),
        ),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "jku with the real kid and the attacker's signature is refused and never fetched",
    source: `${HEADER_KEYS}; PortSwigger lab 'jku header injection'`,
    authorization: (ctx) =>
      bearer(forgeJwt(header(ctx, { jku: ctx.jwksUrl }), claims(ctx), attackers(ctx))),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "x5u pointing at the attacker's server is refused and never fetched",
    source: HEADER_KEYS,
    authorization: async (ctx) =>
      bearer(
        forgeJwt(
          header(ctx, { kid: await attackerKid(ctx), x5u: `${ctx.jwksUrl}/cert.pem` }),
          claims(ctx),
          attackers(ctx),
        ),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "an embedded jwk (the attacker's public key) is refused",
    source: `${HEADER_KEYS}; CVE-2018-0114 (node-jose); PortSwigger lab 'jwk header injection'`,
    authorization: async (ctx) => {
      const jwk = attackerPublicKey(ctx).export({ format: "jwk" }) as JWK;
      return bearer(
        forgeJwt(header(ctx, { kid: await attackerKid(ctx), jwk }), claims(ctx), attackers(ctx)),
      );
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "an embedded jwk under the real kid is refused",
    source: `${HEADER_KEYS}; CVE-2018-0114 (node-jose)`,
    authorization: (ctx) => {
      const jwk = {
        ...(attackerPublicKey(ctx).export({ format: "jwk" }) as JWK),
        kid: ctx.kid,
      };
      return bearer(forgeJwt(header(ctx, { jwk }), claims(ctx), attackers(ctx)));
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "an embedded x5c certificate chain is refused",
    source: HEADER_KEYS,
    authorization: async (ctx) =>
      bearer(
        forgeJwt(
          header(ctx, {
            kid: await attackerKid(ctx),
            x5c: [
              attackerPublicKey(ctx).export({ type: "spki", format: "der" }).toString("base64"),
            ],
          }),
          claims(ctx),
          attackers(ctx),
        ),
      ),
    expect: "TOKEN_INVALID",
  },

  // ── signatures ────────────────────────────────────────────────────────────────────────
  {
    attack: "an empty signature segment is refused",
    source: "jwt_tool -X n (null signature); RFC 7515 §5.2",
    authorization: (ctx) => bearer(`${parts(ctx.token)[0]}.${parts(ctx.token)[1]}.`),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a stripped signature (two segments) is refused",
    source: "jwt_tool -X n; RFC 7515 §7.1",
    authorization: (ctx) => bearer(`${parts(ctx.token)[0]}.${parts(ctx.token)[1]}`),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a tampered payload (roles: admin) under the original signature is refused",
    source: "PortSwigger lab 'unverified signature'; RFC 8725 §3.3",
    authorization: (ctx) => {
      const [head, , signature] = parts(ctx.token);
      return bearer(`${head}.${segment({ ...ctx.claims, roles: ["admin"] })}.${signature}`);
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a tampered payload (another sub) under the original signature is refused",
    source: "PortSwigger lab 'unverified signature'; RFC 8725 §3.3",
    authorization: (ctx) => {
      const [head, , signature] = parts(ctx.token);
      return bearer(`${head}.${segment({ ...ctx.claims, sub: "someone-else" })}.${signature}`);
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a tampered header (typ changed) under the original signature is refused",
    source: "RFC 7515 §5.2 (the header is signed)",
    authorization: (ctx) => {
      const [, payload, signature] = parts(ctx.token);
      return bearer(`${segment(header(ctx, { typ: "JWT" }))}.${payload}.${signature}`);
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "another valid token's signature spliced onto this payload is refused",
    source: "RFC 8725 §3.3",
    authorization: (ctx) => {
      const [head, payload] = parts(ctx.token);
      return bearer(`${head}.${payload}.${parts(ctx.otherToken)[2]}`);
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a signature with one bit flipped is refused",
    source: "RFC 8725 §3.3",
    authorization: (ctx) => {
      const [head, payload, signature] = parts(ctx.token);
      const bytes = Buffer.from(signature, "base64url");
      bytes[10]! ^= 0x01;
      return bearer(`${head}.${payload}.${b64url(bytes)}`);
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "an all-zero signature of the algorithm's size is refused (for ES256: r = s = 0)",
    source: "CVE-2022-21449 ('psychic signatures'); RFC 8032 §5.1.7",
    authorization: (ctx) =>
      bearer(
        forgeJwt(header(ctx), claims(ctx), {
          signature: b64url(Buffer.alloc(KEY_TYPES[ctx.alg].signatureBytes)),
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a signature truncated by one byte is refused",
    source: "RFC 8032 §5.1.7",
    authorization: (ctx) => {
      const [head, payload, signature] = parts(ctx.token);
      return bearer(
        `${head}.${payload}.${b64url(Buffer.from(signature, "base64url").subarray(0, -1))}`,
      );
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a signature with an extra trailing byte is refused",
    source: "RFC 8032 §5.1.7",
    authorization: (ctx) => {
      const [head, payload, signature] = parts(ctx.token);
      return bearer(
        `${head}.${payload}.${b64url(Buffer.concat([Buffer.from(signature, "base64url"), Buffer.of(0)]))}`,
      );
    },
    expect: "TOKEN_INVALID",
  },
  {
    // Regression (found by this suite): base64url decoders ignore the 4 spare bits of the last
    // character of a 64-byte signature, so 15 other spellings of a valid token verified too.
    attack:
      "a non-canonical base64url spelling of a valid signature is refused (signature malleability)",
    source: "RFC 4648 §3.5; RFC 7515 §2 (BASE64URL); RFC 8725 §3.4",
    authorization: (ctx) => {
      const [head, payload, signature] = parts(ctx.token);
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const last = alphabet.indexOf(signature.at(-1)!);
      const twin = alphabet[last ^ 0x01]!; // same top 2 bits, different padding bits
      return bearer(`${head}.${payload}.${signature.slice(0, -1)}${twin}`);
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a token signed by another deployment's key (same iss and aud) is refused",
    source: "RFC 8725 §3.3; RFC 9068 §4",
    authorization: async (ctx) =>
      bearer(forgeJwt(header(ctx, { kid: await attackerKid(ctx) }), claims(ctx), attackers(ctx))),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "the real kid with a signature by the attacker's key of the same type is refused",
    source: "RFC 8725 §3.3",
    authorization: (ctx) => bearer(forgeJwt(header(ctx), claims(ctx), attackers(ctx))),
    expect: "TOKEN_INVALID",
  },

  // ── crit, typ and token kinds ─────────────────────────────────────────────────────────
  {
    attack: "a crit header naming an unknown extension is refused",
    source: "RFC 7515 §4.1.11; RFC 8725 §3.10",
    authorization: (ctx) =>
      real(ctx, header(ctx, { crit: ["x-baton-policy"], "x-baton-policy": "skip" }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "crit b64:false (unencoded payload) is refused",
    source: "RFC 7797 §6; RFC 7515 §4.1.11",
    authorization: (ctx) => real(ctx, header(ctx, { crit: ["b64"], b64: false }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "an empty crit list is refused",
    source: "RFC 7515 §4.1.11 (MUST NOT be empty)",
    authorization: (ctx) => real(ctx, header(ctx, { crit: [] }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "crit naming a registered parameter (exp) is refused",
    source: "RFC 7515 §4.1.11",
    authorization: (ctx) => real(ctx, header(ctx, { crit: ["exp"] }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: 'typ "JWT" (not an access token) is refused',
    source: "RFC 8725 §3.11; RFC 9068 §2.1, §4",
    authorization: (ctx) => real(ctx, header(ctx, { typ: "JWT" }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a token without typ is refused",
    source: "RFC 8725 §3.11; RFC 9068 §4",
    authorization: (ctx) => real(ctx, { alg: ctx.alg, kid: ctx.kid }, claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: 'typ "dpop+jwt" (another JWT kind) is refused',
    source: "RFC 8725 §3.12; RFC 9449 §4.2",
    authorization: (ctx) => real(ctx, header(ctx, { typ: "dpop+jwt" }), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: 'typ "application/at+jwt" is the same media type and accepted (positive control)',
    source: "RFC 9068 §2.1; RFC 7515 §4.1.9",
    authorization: (ctx) => real(ctx, header(ctx, { typ: "application/at+jwt" }), claims(ctx)),
    expect: "accepted",
  },
  {
    attack: "an ID-token-like JWT (typ JWT, client audience, nonce) is refused",
    source: "RFC 8725 §2.8 (cross-JWT confusion), §3.11; RFC 9068 §4",
    authorization: (ctx) =>
      real(
        ctx,
        header(ctx, { typ: "JWT" }),
        claims(ctx, {
          aud: "web-client",
          nonce: "n-0S6_WzA2Mj",
          azp: "web-client",
          auth_time: ctx.nowSec(),
        }),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a refresh token presented as a Bearer access token is refused",
    source: "RFC 8725 §3.12; RFC 6749 §1.5",
    authorization: (ctx) => bearer(ctx.refreshToken),
    expect: "TOKEN_INVALID",
  },

  // ── claims: issuer, audience, required claims, types ──────────────────────────────────
  {
    attack: "a wrong iss is refused",
    source: "RFC 8725 §3.8; RFC 9068 §4",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { iss: "https://evil.example" })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a missing iss is refused",
    source: "RFC 8725 §3.8; RFC 9068 §4",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { iss: undefined })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a wrong aud (a token for another service) is refused",
    source: "RFC 8725 §3.9; RFC 9068 §4; RFC 9700 §2.3",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { aud: "billing-api" })),
    expect: "TOKEN_INVALID",
  },
  {
    attack:
      "an aud list naming this service and another is refused (Baton tokens have one audience)",
    source: "RFC 8725 §3.9; RFC 9700 §2.3 (audience restriction)",
    authorization: (ctx) =>
      real(ctx, header(ctx), claims(ctx, { aud: [String(ctx.claims.aud), "billing-api"] })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a missing aud is refused",
    source: "RFC 8725 §3.9; RFC 9068 §4",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { aud: undefined })),
    expect: "TOKEN_INVALID",
  },
  ...(["sub", "sid", "jti", "iat", "exp"] as const).map<Case>((claim) => ({
    attack: `a token without ${claim} is refused`,
    source: "RFC 9068 §2.2 (required claims); OWASP ASVS 3.5.3",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { [claim]: undefined })),
    expect: "TOKEN_INVALID",
  })),
  ...(
    [
      ["sub", ""],
      ["sub", 42],
      ["sid", ""],
      ["sid", ["a", "b"]],
      ["roles", "admin"],
      ["roles", [{ name: "admin" }]],
      ["ver", "0"],
      ["iat", "now"],
      ["iat", 1.5],
      ["exp", "9999999999"],
      ["jti", 7],
      ["iss", { url: "baton" }],
    ] as const
  ).map<Case>(([claim, value]) => ({
    attack: `a claim of the wrong type (${claim}: ${JSON.stringify(value)}) is refused`,
    source: "RFC 7519 §4.1; RFC 9068 §2.2; OWASP ASVS 3.5.3",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { [claim]: value })),
    expect: "TOKEN_INVALID",
  })),
  {
    attack: "exp: 1e400 (parses to Infinity) is refused",
    source: "RFC 7519 §2 (NumericDate); RFC 8725 §2.6",
    authorization: (ctx) => {
      const payload = JSON.stringify(claims(ctx)).replace(/"exp":\d+/, '"exp":1e400');
      return real(ctx, header(ctx), payload);
    },
    expect: "TOKEN_INVALID",
  },

  // ── time claims (leeway 5 s) ──────────────────────────────────────────────────────────
  {
    attack: "exp 6 s in the past (expired by 1 s beyond the 5 s leeway) is TOKEN_EXPIRED",
    source: "RFC 7519 §4.1.4; RFC 8725 §3.10",
    authorization: (ctx) =>
      real(ctx, header(ctx), claims(ctx, { iat: ctx.nowSec() - 906, exp: ctx.nowSec() - 6 })),
    expect: "TOKEN_EXPIRED",
  },
  {
    attack: "exp 4 s in the past is still inside the leeway (positive control)",
    source: "RFC 7519 §4.1.4 (small leeway)",
    authorization: (ctx) =>
      real(ctx, header(ctx), claims(ctx, { iat: ctx.nowSec() - 904, exp: ctx.nowSec() - 4 })),
    expect: "accepted",
  },
  {
    attack: "nbf 6 s in the future (beyond the leeway) is refused",
    source: "RFC 7519 §4.1.5",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { nbf: ctx.nowSec() + 6 })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "nbf 4 s in the future is inside the leeway (positive control)",
    source: "RFC 7519 §4.1.5",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { nbf: ctx.nowSec() + 4 })),
    expect: "accepted",
  },
  {
    attack: "iat 6 s in the future (beyond the leeway) is refused",
    source: "RFC 7519 §4.1.6; RFC 8725 §3.10",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { iat: ctx.nowSec() + 6 })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "nbf of the wrong type is refused",
    source: "RFC 7519 §4.1.5",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { nbf: "yesterday" })),
    expect: "TOKEN_INVALID",
  },

  // ── duplicate JSON keys ───────────────────────────────────────────────────────────────
  {
    attack: 'a header with duplicate alg (the real one, then "none") and no signature is refused',
    source: "RFC 7515 §4 (duplicate names); RFC 8725 §2.6",
    authorization: (ctx) =>
      bearer(
        forgeJwt(
          `{"alg":"${ctx.alg}","kid":${JSON.stringify(ctx.kid)},"typ":"at+jwt","alg":"none"}`,
          claims(ctx),
          { none: true },
        ),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: 'a header with duplicate alg ("none", then the real one) and no signature is refused',
    source: "RFC 7515 §4; RFC 8725 §2.6",
    authorization: (ctx) =>
      bearer(
        forgeJwt(
          `{"alg":"none","kid":${JSON.stringify(ctx.kid)},"typ":"at+jwt","alg":"${ctx.alg}"}`,
          claims(ctx),
          { none: true },
        ),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a payload with a duplicate sub under the original signature is refused",
    source: "RFC 7519 §4; RFC 8725 §2.6",
    authorization: (ctx) => {
      const [head, payload, signature] = parts(ctx.token);
      const text = Buffer.from(payload, "base64url").toString();
      return bearer(
        `${head}.${segment(text.replace(/}$/, ',"sub":"someone-else"}'))}.${signature}`,
      );
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack:
      "duplicate typ (at+jwt, then JWT) is read lexically last, as every verifier does, and refused",
    source: "RFC 7515 §4; RFC 8725 §2.6",
    authorization: (ctx) =>
      real(
        ctx,
        `{"alg":"${ctx.alg}","kid":${JSON.stringify(ctx.kid)},"typ":"at+jwt","typ":"JWT"}`,
        claims(ctx),
      ),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "duplicate roles (admin, then user) are read lexically last: no parser differential",
    source: "RFC 7519 §4; RFC 8725 §2.6",
    authorization: (ctx) => {
      const text = JSON.stringify(claims(ctx, { roles: undefined }));
      return real(
        ctx,
        header(ctx),
        text.replace(/^{/, '{"roles":["admin"],').replace(/}$/, ',"roles":["user"]}'),
      );
    },
    expect: "accepted",
    check: (body) => expect(body.auth.roles).toEqual(["user"]),
  },

  // ── size and encoding ─────────────────────────────────────────────────────────────────
  {
    attack: "a JWT-shaped token over 8 KiB is refused before any parsing",
    source: "RFC 8725 §3.4 (validate cryptographic inputs)",
    authorization: () => bearer(`${"a".repeat(4000)}.${"b".repeat(4000)}.${"c".repeat(200)}`),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a validly signed token with 9 KiB of claims is refused by the size cap",
    source: "RFC 8725 §3.4",
    authorization: (ctx) => real(ctx, header(ctx), claims(ctx, { pad: "x".repeat(9000) })),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "an Authorization header over 16 KiB is stopped by the HTTP parser (431)",
    source: "RFC 6585 §5 (431 Request Header Fields Too Large)",
    authorization: () => bearer("a".repeat(17_000)),
    expect: "refusedByHttpParser",
  },
  {
    attack: "the standard base64 alphabet (+ and /) instead of base64url is refused",
    source: "RFC 7515 §2 (BASE64URL); RFC 8725 §3.4",
    authorization: (ctx) => {
      const standard = ctx.token.replace(/-/g, "+").replace(/_/g, "/");
      return bearer(standard === ctx.token ? `${ctx.token.slice(0, -1)}+` : standard);
    },
    expect: "TOKEN_INVALID",
  },
  {
    attack: "base64 padding (=) on a segment is refused",
    source: "RFC 7515 §2 (no padding)",
    authorization: (ctx) => bearer(`${ctx.token}=`),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a percent-encoded dot between segments is refused",
    source: "RFC 7515 §7.1",
    authorization: (ctx) => bearer(ctx.token.replace(".", "%2E")),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "non-ASCII (latin1) bytes in the token are refused",
    source: "RFC 6750 §2.1 (b64token); RFC 8725 §3.7",
    authorization: (ctx) => bearer(`${ctx.token.slice(0, 20)}é${ctx.token.slice(21)}`),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a header segment that is not JSON is refused",
    source: "RFC 7515 §5.2",
    authorization: (ctx) => real(ctx, "not json", claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a header that is a JSON array is refused",
    source: "RFC 7515 §5.2",
    authorization: (ctx) => real(ctx, JSON.stringify([header(ctx)]), claims(ctx)),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a payload that is a JSON string is refused",
    source: "RFC 7519 §7.2",
    authorization: (ctx) => real(ctx, header(ctx), JSON.stringify(JSON.stringify(claims(ctx)))),
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a five-segment (JWE-shaped) token is refused",
    source: "RFC 7516 §7.1; RFC 8725 §3.12",
    authorization: (ctx) =>
      bearer(
        `${segment({ alg: "dir", enc: "A256GCM", kid: ctx.kid, typ: "at+jwt" })}..${b64url(randomBytes(12))}.${b64url(randomBytes(40))}.${b64url(randomBytes(16))}`,
      ),
    expect: "TOKEN_INVALID",
  },

  // ── the Authorization header itself ───────────────────────────────────────────────────
  ...(
    [
      ["bearer <token> (lower-case scheme) is accepted", (t: string) => `bearer ${t}`, "accepted"],
      ["BEARER <token> (upper-case scheme) is accepted", (t: string) => `BEARER ${t}`, "accepted"],
      ["Bearer with two spaces is accepted (1*SP)", (t: string) => `Bearer  ${t}`, "accepted"],
      [
        "Bearer with a tab instead of a space is refused",
        (t: string) => `Bearer\t${t}`,
        "TOKEN_INVALID",
      ],
      ["Bearer with two tokens is refused", (t: string) => `Bearer ${t} ${t}`, "TOKEN_INVALID"],
      ["Bearer:<token> is refused", (t: string) => `Bearer:${t}`, "TOKEN_INVALID"],
      ["Bearer,<token> is refused", (t: string) => `Bearer,${t}`, "TOKEN_INVALID"],
      [
        'a quoted token (Bearer "<token>") is refused',
        (t: string) => `Bearer "${t}"`,
        "TOKEN_INVALID",
      ],
      [
        "a comma-joined list of two credentials is refused",
        (t: string) => `Bearer ${t}, Bearer ${t}`,
        "TOKEN_INVALID",
      ],
      ["Bearer with no token is refused", () => "Bearer", "TOKEN_INVALID"],
      ["a bare token without a scheme is TOKEN_MISSING", (t: string) => t, "TOKEN_MISSING"],
      ["the Token scheme is TOKEN_MISSING", (t: string) => `Token ${t}`, "TOKEN_MISSING"],
      ["the Basic scheme is TOKEN_MISSING", () => `Basic ${b64url("ada:pw")}`, "TOKEN_MISSING"],
      ["Bearertoken (no space) is TOKEN_MISSING", (t: string) => `Bearer${t}`, "TOKEN_MISSING"],
    ] as const
  ).map<Case>(([attack, value, expectation]) => ({
    attack,
    source: "RFC 6750 §2.1; RFC 9110 §11.1 (scheme is case-insensitive)",
    authorization: (ctx) => value(ctx.token),
    expect: expectation,
  })),
  {
    attack: "two identical valid Authorization headers are refused",
    source: "RFC 6750 §2; RFC 9110 §5.3 (Authorization is not a list)",
    authorization: (ctx) => [bearer(ctx.token), bearer(ctx.token)],
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a valid Authorization header followed by a forged one is refused",
    source: "RFC 9110 §5.3; PortSwigger 'HTTP header smuggling'",
    authorization: (ctx) => [
      bearer(ctx.token),
      bearer(`${parts(ctx.token)[0]}.${parts(ctx.token)[1]}.`),
    ],
    expect: "TOKEN_INVALID",
  },
  {
    attack: "a forged Authorization header followed by a valid one is refused",
    source: "RFC 9110 §5.3",
    authorization: (ctx) => [bearer("garbage"), bearer(ctx.token)],
    expect: "TOKEN_INVALID",
  },
  {
    attack: "an empty Authorization header is TOKEN_MISSING",
    source: "RFC 6750 §3.1",
    authorization: () => "",
    expect: "TOKEN_MISSING",
  },
];

const adapters: Adapter[] = ["fastify", "express"];
const keyTypes: KeyType[] = ["EdDSA", "ES256", "RS256"];
// Every case through both adapters with the default key type; the other two key types through
// one adapter each (which adapter carries a request does not depend on the key, and this keeps
// the suite's time down), so each adapter also meets a non-EdDSA ring.
const combinations = [
  ...adapters.map((adapter) => ["EdDSA", adapter] as const),
  ["ES256", "express"] as const,
  ["RS256", "fastify"] as const,
];

describe.each(combinations)(
  "access-token forgery and confusion against a %s key, through %s",
  (alg, adapter) => {
    const ctx = { alg, digest: KEY_TYPES[alg].digest } as Context;
    let jwksServer: Server;
    let fetches = 0;

    beforeAll(async () => {
      jwksServer = createServer((_request, response) => {
        fetches++;
        response.setHeader("content-type", "application/json");
        response.end(
          JSON.stringify({ keys: [attacker.ed25519.publicKey.export({ format: "jwk" })] }),
        );
      });
      jwksServer.listen(0, "127.0.0.1");
      await once(jwksServer, "listening");
      ctx.server = await startTestServer(adapter, { jwtAlg: alg });
      const victim = await signUp(ctx.server, "victim@example.com");
      const second = await ctx.server.client().post("/api/auth/login", {
        email: "victim@example.com",
        password: "correct horse battery",
      });
      Object.assign(ctx, serverKeys(ctx.server), {
        token: victim.accessToken,
        claims: claimsOf(victim.accessToken),
        otherToken: second.body.accessToken as string,
        refreshToken: victim.client.jar.get("refresh_token")!,
        jwksUrl: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`,
        fetches: () => fetches,
        nowSec: () => Math.floor(ctx.server.clock.now() / 1000),
      });
    });
    afterAll(async () => {
      await ctx.server.close();
      await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
    });

    const rows = cases.filter((row) => row.keyTypes?.includes(alg) ?? true);
    it.each(rows.map((row) => [`${row.attack} — ${row.source}`, row] as const))(
      "%s",
      async (_name, row) => {
        const values = await row.authorization(ctx);
        const list = Array.isArray(values) ? values : [values];
        for (const path of ["/api/auth/me", "/api/private"]) {
          const sent = rawRequest(
            ctx.server.url,
            "GET",
            path,
            list.map((value) => ["authorization", value] as [string, string]),
          );
          if (row.expect === "refusedByHttpParser") {
            // Fastify writes the 431 and destroys the socket at once, so the client may only see
            // the connection end; either way the request never reached Baton.
            const outcome = await sent.then(
              (response) => response.status,
              (error: NodeJS.ErrnoException) => error.code ?? error.message,
            );
            expect([431, "ECONNRESET", "EPIPE", "socket hang up"]).toContain(outcome);
            continue;
          }
          const response: RawResponse = await sent;
          if (row.expect === "accepted") {
            expect(response.status, response.text).toBe(200);
            if (path === "/api/private") row.check?.(response.body, ctx);
          } else {
            expectError(response, row.expect);
          }
        }
        expect(ctx.fetches(), "the server fetched a URL named by the token").toBe(0);
      },
    );
  },
);

describe("algorithm confusion across the three key types of one ring (JWT_ALG changed twice)", () => {
  // The ring of a deployment that ran EdDSA, then ES256, then RS256: three keys of three types
  // verify at once. Every signer × named kid × claimed alg is tried; only a token signed by the
  // key its kid names, with that key's own algorithm, is accepted.
  let server: TestServer;
  let victimClaims: Record<string, unknown>;
  const ring: Record<KeyType, { kid: string; privateKey: KeyObject; publicKey: KeyObject }> =
    {} as never;
  beforeAll(async () => {
    server = await startTestServer("fastify", { jwtAlg: "EdDSA" });
    victimClaims = claimsOf((await signUp(server, "victim@example.com")).accessToken);
    const core = coreOf(server.baton);
    for (const alg of ["ES256", "RS256"] as const) {
      await storeNewSigningKey(core.store, core.keySealingKey, alg, server.clock.now());
      await reloadSigningKeys(core);
    }
    for (const record of await core.store.listSigningKeys()) {
      const key = core.accessTokens.keyRing.find(record.kid, server.clock.now(), 0)!;
      ring[record.alg as KeyType] = {
        kid: key.kid,
        privateKey: key.signingKey as KeyObject,
        publicKey: key.verificationKey as KeyObject,
      };
    }
    expect(Object.keys(ring).sort()).toEqual(["ES256", "EdDSA", "RS256"]);
  });
  afterAll(() => server.close());

  const fresh = () => {
    const now = Math.floor(server.clock.now() / 1000);
    return { ...victimClaims, iat: now, exp: now + 900, jti: b64url(randomBytes(16)) };
  };
  const outcome = async (token: string) => {
    const statuses = await Promise.all(
      ["/api/auth/me", "/api/private"].map(async (path) => {
        const response = await server.client().get(path, token);
        if (response.status !== 200) expectError(response, "TOKEN_INVALID");
        return response.status;
      }),
    );
    expect(statuses[0]).toBe(statuses[1]);
    return statuses[0] === 200 ? "accepted" : "TOKEN_INVALID";
  };

  const triples = keyTypes.flatMap((signer) =>
    keyTypes.flatMap((named) => keyTypes.map((claimed) => [signer, named, claimed] as const)),
  );
  it.each(triples)(
    "signed by the %s key, naming the %s key's kid, claiming alg %s — RFC 8725 §3.1",
    async (signer, named, claimed) => {
      const token = forgeJwt({ alg: claimed, kid: ring[named].kid, typ: "at+jwt" }, fresh(), {
        key: ring[signer].privateKey,
        digest: KEY_TYPES[signer].digest,
      });
      const genuine = signer === named && claimed === signer;
      expect(await outcome(token)).toBe(genuine ? "accepted" : "TOKEN_INVALID");
    },
  );

  it.each(keyTypes)(
    "HS256 keyed with any encoding of the %s public key is refused — " + CONFUSION,
    async (named) => {
      const { kid, publicKey } = ring[named];
      const jwk = publicKey.export({ format: "jwk" }) as JWK;
      for (const hmac of [
        publicKey.export({ type: "spki", format: "pem" }).toString(),
        publicKey.export({ type: "spki", format: "der" }),
        JSON.stringify({ ...jwk, kid }),
        jwk.x ?? jwk.n!,
        Buffer.from(jwk.x ?? jwk.n!, "base64url"),
      ]) {
        const token = forgeJwt({ alg: "HS256", kid, typ: "at+jwt" }, fresh(), { hmac });
        expect(await outcome(token)).toBe("TOKEN_INVALID");
      }
    },
  );
});

describe("tokens signed by a retired or deleted key", () => {
  let server: TestServer;
  let oldToken: string;
  let oldKid: string;
  let oldPrivateKey: KeyObject;
  beforeAll(async () => {
    server = await startTestServer("fastify");
    oldToken = (await signUp(server, "ada@example.com")).accessToken;
    ({ kid: oldKid, privateKey: oldPrivateKey } = serverKeys(server));
    await server.baton.rotateKeys();
  });
  afterAll(() => server.close());

  it("a token signed by the retired key still verifies until its own expiry (positive control) — RFC 7517 §5 key rollover", async () => {
    expect(serverKeys(server).kid).not.toBe(oldKid);
    expect((await server.client().get("/api/private", oldToken)).status).toBe(200);
    const fresh = await server
      .client()
      .post("/api/auth/login", { email: "ada@example.com", password: "correct horse battery" });
    expect(claimsOf(fresh.body.accessToken)).toBeDefined();
    expect(
      JSON.parse(Buffer.from(fresh.body.accessToken.split(".")[0], "base64url").toString()).kid,
    ).toBe(serverKeys(server).kid);
  });

  it("a token freshly forged with a retired key's kid but another key is refused — RFC 8725 §3.3", async () => {
    const forged = forgeJwt(
      { alg: "EdDSA", kid: oldKid, typ: "at+jwt" },
      { ...claimsOf(oldToken), jti: "forged" },
      { key: attacker.ed25519.privateKey },
    );
    expectError(await server.client().get("/api/private", forged), "TOKEN_INVALID");
  });

  it("a token signed by a retired key is refused once the key left the ring (TTL + leeway after retirement) — RFC 8725 §3.1, OWASP ASVS 6.4.1", async () => {
    server.clock.advance(15 * 60_000 + 5_000 + 1_000);
    // Signed by the retired key with a fresh exp: only the key's own retirement can refuse it.
    const now = Math.floor(server.clock.now() / 1000);
    const late = forgeJwt(
      { alg: "EdDSA", kid: oldKid, typ: "at+jwt" },
      { ...claimsOf(oldToken), iat: now, exp: now + 900, jti: "late" },
      { key: oldPrivateKey },
    );
    expectError(await server.client().get("/api/private", late), "TOKEN_INVALID");
    expect(
      (await server.client().get("/.well-known/jwks.json")).body.keys.map((k: JWK) => k.kid),
    ).not.toContain(oldKid);
  });

  it("a token signed by a key deleted from the store is refused at once — OWASP ASVS 6.4.1 (key revocation)", async () => {
    const ada = await server
      .client()
      .post("/api/auth/login", { email: "ada@example.com", password: "correct horse battery" });
    const kid = serverKeys(server).kid;
    await server.baton.rotateKeys();
    expect((await server.client().get("/api/private", ada.body.accessToken)).status).toBe(200);
    const db = new BetterSqlite3(databaseFile(server));
    db.prepare("delete from signing_keys where kid = ?").run(kid);
    db.close();
    await reloadSigningKeys(coreOf(server.baton));
    expectError(await server.client().get("/api/private", ada.body.accessToken), "TOKEN_INVALID");
  });
});

describe("access tokens expire on the manual clock (leeway 5 s)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("fastify");
  });
  afterAll(() => server.close());

  it("a real token 15 min + 4 s old is still accepted inside the leeway — RFC 7519 §4.1.4", async () => {
    const { accessToken } = await signUp(server, "early@example.com");
    expect((await server.client().get("/api/private", accessToken)).status).toBe(200);
    server.clock.advance(15 * 60_000 + 4_000);
    expect((await server.client().get("/api/private", accessToken)).status).toBe(200);
    server.clock.advance(2_000);
    // Now expired by 1 s beyond the leeway, and this verdict came from the verified-token cache.
    expectError(await server.client().get("/api/private", accessToken), "TOKEN_EXPIRED");
  });

  it("a real token never seen before, expired by 1 s beyond the leeway, is TOKEN_EXPIRED — RFC 7519 §4.1.4, RFC 6750 §3.1", async () => {
    const { accessToken } = await signUp(server, "late@example.com");
    server.clock.advance(15 * 60_000 + 5_000 + 1_000);
    const response = await server.client().get("/api/auth/me", accessToken);
    expectError(response, "TOKEN_EXPIRED");
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});

describe("HS256 deployments", () => {
  const secret = randomBytes(32).toString("base64url");
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer("fastify", { jwtAlg: "HS256", jwtSecret: secret });
    token = (await signUp(server, "ada@example.com")).accessToken;
  });
  afterAll(() => server.close());
  const head = () => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString());
  const now = () => Math.floor(server.clock.now() / 1000);
  const fresh = () => ({ ...claimsOf(token), iat: now(), exp: now() + 900 });

  it("positive control: a token signed with the configured secret is accepted", async () => {
    const forged = forgeJwt(head(), fresh(), { hmac: secret });
    expect((await server.client().get("/api/private", forged)).status).toBe(200);
  });

  it.each([
    ["secret", "jwt_tool -C (dictionary); PortSwigger lab 'weak signing key'; RFC 8725 §3.5"],
    ["", "jwt_tool -X b (blank password); CVE-2022-23540"],
    ["h".repeat(47), "RFC 8725 §3.5 (a near miss of the secret)"],
  ])("HS256 signed with a guessed secret %j is refused — %s", async (guess) => {
    const forged = forgeJwt(head(), fresh(), { hmac: guess });
    expectError(await server.client().get("/api/private", forged), "TOKEN_INVALID");
  });

  it("alg:none is refused in HS256 mode too — RFC 8725 §2.1", async () => {
    const forged = forgeJwt({ ...head(), alg: "none" }, fresh(), { none: true });
    expectError(await server.client().get("/api/private", forged), "TOKEN_INVALID");
  });

  it("HS512 with the real secret is refused: the algorithm is pinned — RFC 8725 §3.1", async () => {
    const forged = forgeJwt({ ...head(), alg: "HS512" }, fresh(), { hmac: secret, hash: "sha512" });
    expectError(await server.client().get("/api/private", forged), "TOKEN_INVALID");
  });

  it("an EdDSA token signed by the attacker under the HS kid is refused — RFC 8725 §3.1", async () => {
    const forged = forgeJwt({ ...head(), alg: "EdDSA" }, fresh(), {
      key: attacker.ed25519.privateKey,
    });
    expectError(await server.client().get("/api/private", forged), "TOKEN_INVALID");
  });

  it("the kid does not reveal the secret and the JWKS publishes nothing — RFC 8725 §3.5", async () => {
    expect(head().kid).not.toContain(secret.slice(0, 8));
    expect((await server.client().get("/.well-known/jwks.json")).body).toEqual({ keys: [] });
  });

  it("a JWT_SECRET shorter than 32 bytes stops startup — RFC 8725 §3.5, RFC 7518 §3.2", async () => {
    await expect(
      createBaton({
        databaseUrl: "sqlite::memory:",
        logger: false,
        jwtAlg: "HS256",
        jwtSecret: "secret",
      }),
    ).rejects.toThrow(/shorter than 32 bytes/);
  });

  // Issue 12 item 6: this placeholder passed the length check, was cracked offline from one token
  // in 1 ms (the first guess of any JWT wordlist), and signed an admin token.
  it.each([
    "your_jwt_secret_key_change_in_production",
    "a".repeat(40),
    "0123456789abcdef".repeat(2),
  ])(
    "a guessable JWT_SECRET (%s) stops startup, in development too — RFC 8725 §3.5",
    async (jwtSecret) => {
      await expect(
        createBaton({ databaseUrl: "sqlite::memory:", logger: false, jwtAlg: "HS256", jwtSecret }),
      ).rejects.toThrow(/jwtSecret \(the HS256 signing key\) is too weak/);
    },
  );
});

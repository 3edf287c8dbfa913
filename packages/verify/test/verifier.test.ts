// Tests reach a Baton's core (signing keys included) the way the adapters do: it is not public API.
import { coreOf } from "../../server/src/baton-internals.js";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "@baton/server";
import { createVerifier, VerifyError, type VerifyErrorCode } from "@baton/verify";
import { ManualClock } from "../../server/test/support/manual-clock.js";
import { rotateSigningKey } from "../../server/src/maintenance/key-rotation.js";
import { headerOf, jwksUrl, signIn, startBaton } from "./baton-fixture.js";

async function failure(promise: Promise<unknown>): Promise<VerifyErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VerifyError) return error.code;
    throw error;
  }
  throw new Error("expected a VerifyError");
}

describe("createVerifier against a real Baton", () => {
  let baton: RunningServer;
  let token: string;
  let userId: string;
  beforeAll(async () => {
    baton = await startBaton();
    ({
      accessToken: token,
      user: { id: userId },
    } = await signIn(baton, "ada@example.com"));
  });
  afterAll(() => baton.close());

  const verifierFor = (overrides: Partial<Parameters<typeof createVerifier>[0]> = {}) =>
    createVerifier({ jwksUrl: jwksUrl(baton), issuer: "baton", audience: "baton", ...overrides });

  it("verifies a token Baton issued, from the JWKS alone", async () => {
    const claims = await verifierFor().verify(token);
    expect(claims).toMatchObject({ iss: "baton", aud: "baton", sub: userId, roles: ["user"] });
    expect(typeof claims.sid).toBe("string");
    expect(Number.isInteger(claims.ver)).toBe(true);
    expect(claims.exp - claims.iat).toBe(15 * 60);
  });

  it("authenticate reads the Authorization header like Baton does", async () => {
    const verifier = verifierFor();
    const auth = await verifier.authenticate(`Bearer ${token}`);
    expect(auth).toEqual({
      userId,
      sessionId: expect.any(String),
      roles: ["user"],
      emailVerified: false,
    });
    expect(await verifier.authenticate(`bearer   ${token}  `)).toEqual(auth);
    expect(await failure(verifier.authenticate(undefined))).toBe("TOKEN_MISSING");
    expect(await failure(verifier.authenticate(""))).toBe("TOKEN_MISSING");
    expect(await failure(verifier.authenticate(`Basic ${token}`))).toBe("TOKEN_MISSING");
    expect(await failure(verifier.authenticate("Bearer not a token"))).toBe("TOKEN_INVALID");
  });

  it("rejects tampered, truncated, and wrongly addressed tokens as TOKEN_INVALID", async () => {
    const verifier = verifierFor();
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    const otherClaims = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, "base64url").toString()),
        roles: ["admin"],
      }),
    ).toString("base64url");
    for (const bad of [
      `${header}.${payload}.${flipped}`,
      `${header}.${otherClaims}.${signature}`,
      `${header}.${payload}.`,
      `${header}.${payload}`,
      "x".repeat(9000),
    ]) {
      expect(await failure(verifier.verify(bad))).toBe("TOKEN_INVALID");
    }
    expect(await failure(verifierFor({ audience: "billing" }).verify(token))).toBe("TOKEN_INVALID");
    expect(await failure(verifierFor({ issuer: "https://elsewhere" }).verify(token))).toBe(
      "TOKEN_INVALID",
    );
  });

  describe("tokens signed with Baton's own key but not as Baton issues them", () => {
    let key: KeyObject;
    let kid: string;
    beforeAll(() => {
      const active = coreOf(baton.baton).accessTokens.keyRing.active;
      key = active.signingKey as KeyObject;
      kid = active.kid;
    });
    const claims = () => ({ sid: "s1", roles: ["user"], ver: 0 });
    const sign = (
      body: Record<string, unknown>,
      header: Record<string, unknown> = { alg: "EdDSA", kid, typ: "at+jwt" },
      signingKey: KeyObject | Uint8Array = key,
    ) => {
      const jwt = new SignJWT(body)
        .setProtectedHeader(header as { alg: string })
        .setIssuer("baton")
        .setAudience("baton")
        .setIssuedAt()
        .setExpirationTime("5m")
        .setJti("j1");
      if (body.sub === undefined) jwt.setSubject("u1");
      return jwt.sign(signingKey);
    };

    it("accepts the real shape (control)", async () => {
      await expect(verifierFor().verify(await sign(claims()))).resolves.toMatchObject({
        sub: "u1",
      });
    });

    it.each([
      ["without typ (an ID token or another JWT)", (kid: string) => ({ alg: "EdDSA", kid })],
      ["with typ JWT", (kid: string) => ({ alg: "EdDSA", kid, typ: "JWT" })],
    ])("refuses a token %s", async (_what, header) => {
      expect(await failure(verifierFor().verify(await sign(claims(), header(kid))))).toBe(
        "TOKEN_INVALID",
      );
    });

    it.each([
      ["sid missing", { roles: ["user"], ver: 0 }],
      ["roles not a list of strings", { sid: "s1", roles: "admin", ver: 0 }],
      ["ver missing", { sid: "s1", roles: ["user"] }],
      ["sub empty", { sub: "", sid: "s1", roles: ["user"], ver: 0 }],
    ])("refuses claims with %s", async (_what, body) => {
      expect(await failure(verifierFor().verify(await sign(body)))).toBe("TOKEN_INVALID");
    });

    it("refuses HS256 signed with the public key (algorithm confusion), and an unsigned token", async () => {
      const publicJwk = baton.baton.jwks().keys.find((jwk) => jwk.kid === kid)!;
      const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
      const hs = await sign(claims(), { alg: "HS256", kid, typ: "at+jwt" }, secret);
      expect(await failure(verifierFor().verify(hs))).toBe("TOKEN_INVALID");
      const [header, payload] = hs.split(".");
      const none = `${Buffer.from(JSON.stringify({ alg: "none", kid, typ: "at+jwt" })).toString("base64url")}.${payload}.`;
      expect(header).toBeDefined();
      expect(await failure(verifierFor().verify(none))).toBe("TOKEN_INVALID");
    });

    it("refuses a token signed by a stranger's key claiming Baton's kid", async () => {
      const { privateKey } = generateKeyPairSync("ed25519");
      const forged = await sign(claims(), { alg: "EdDSA", kid, typ: "at+jwt" }, privateKey);
      expect(await failure(verifierFor().verify(forged))).toBe("TOKEN_INVALID");
    });
  });

  it("a token from another Baton (another key) is TOKEN_INVALID", async () => {
    const other = await startBaton();
    try {
      const foreign = (await signIn(other, "ada@example.com")).accessToken;
      expect(headerOf(foreign).kid).not.toBe(headerOf(token).kid);
      expect(await failure(verifierFor().verify(foreign))).toBe("TOKEN_INVALID");
    } finally {
      await other.close();
    }
  });

  it("picks up a rotated key by refetching the JWKS on an unknown kid; old tokens keep verifying", async () => {
    const verifier = verifierFor({ jwks: { cooldownDuration: 0 }, cacheSize: 0 });
    await verifier.verify(token); // the JWKS is now cached with the first key only
    const rotated = await rotateSigningKey(coreOf(baton.baton));
    const fresh = (await signIn(baton, "ada@example.com", "login")).accessToken;
    expect(headerOf(fresh).kid).toBe(rotated.kid);
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ sub: userId });
    // The retired key is still published until its tokens have expired.
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: userId });
  });

  it("caches verified tokens: a reused token costs a lookup", async () => {
    const verifier = verifierFor();
    await verifier.verify(token);
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) await verifier.verify(token);
    const perSecond = 20_000 / ((performance.now() - started) / 1000);
    console.log(`@baton/verify: cached verify ${Math.round(perSecond)} ops/s`);
    expect(perSecond).toBeGreaterThan(50_000);
  });

  it("validates its options", () => {
    expect(() =>
      createVerifier({ jwksUrl: "/jwks.json", issuer: "baton", audience: "baton" }),
    ).toThrow(/jwksUrl/);
    expect(() =>
      createVerifier({ jwksUrl: jwksUrl(baton), issuer: "", audience: "baton" }),
    ).toThrow(/issuer/);
  });
});

describe("expiry, on a Baton and a verifier that share a manual clock", () => {
  const clock = new ManualClock();
  let baton: RunningServer;
  beforeAll(async () => {
    baton = await startBaton({ clock, accessTokenTtl: "60s" });
  });
  afterAll(() => baton.close());

  it("verifies until exp plus the clock tolerance, then answers TOKEN_EXPIRED (also from the cache)", async () => {
    const { accessToken } = await signIn(baton, "eve@example.com");
    const verifier = createVerifier({
      jwksUrl: jwksUrl(baton),
      issuer: "baton",
      audience: "baton",
      clockTolerance: 5,
      clock,
    });
    const uncached = createVerifier({
      jwksUrl: jwksUrl(baton),
      issuer: "baton",
      audience: "baton",
      clockTolerance: 5,
      clock,
      cacheSize: 0,
    });
    await verifier.verify(accessToken);
    clock.advance(64_000); // exp + 4 s: inside the tolerance
    await expect(verifier.verify(accessToken)).resolves.toBeDefined();
    await expect(uncached.verify(accessToken)).resolves.toBeDefined();
    clock.advance(2_000); // exp + 6 s
    expect(await failure(verifier.verify(accessToken))).toBe("TOKEN_EXPIRED");
    expect(await failure(uncached.verify(accessToken))).toBe("TOKEN_EXPIRED");
  });

  it("refuses a token issued in the future", async () => {
    const { accessToken } = await signIn(baton, "mallory@example.com");
    const behind = { now: () => clock.now() - 60_000 };
    const verifier = createVerifier({
      jwksUrl: jwksUrl(baton),
      issuer: "baton",
      audience: "baton",
      clock: behind,
    });
    expect(await failure(verifier.verify(accessToken))).toBe("TOKEN_INVALID");
  });
});

describe("when Baton cannot be reached", () => {
  it("keeps verifying with the keys it already has; unknown keys are UNAVAILABLE, not 401", async () => {
    const baton = await startBaton();
    const first = (await signIn(baton, "ada@example.com")).accessToken;
    const second = (await signIn(baton, "bob@example.com")).accessToken;
    const url = jwksUrl(baton);
    const verifier = createVerifier({
      jwksUrl: url,
      issuer: "baton",
      audience: "baton",
      // Refetch before every verification: the outage is hit at once.
      jwks: { cacheMaxAge: 0, cooldownDuration: 0 },
    });
    await verifier.verify(first);
    await baton.close();
    await expect(verifier.verify(second)).resolves.toMatchObject({ roles: ["user"] });

    const other = await startBaton();
    const foreign = (await signIn(other, "ada@example.com")).accessToken;
    await other.close();
    expect(await failure(verifier.verify(foreign))).toBe("UNAVAILABLE");
  });

  it("a verifier that never fetched the keys answers UNAVAILABLE", async () => {
    const baton = await startBaton();
    const { accessToken } = await signIn(baton, "ada@example.com");
    const url = jwksUrl(baton);
    await baton.close();
    const verifier = createVerifier({ jwksUrl: url, issuer: "baton", audience: "baton" });
    expect(await failure(verifier.verify(accessToken))).toBe("UNAVAILABLE");
  });
});

describe("canonical signatures", () => {
  it("refuses other spellings of a valid signature, like the server does", async () => {
    const server = await startBaton();
    try {
      const { accessToken } = await signIn(server, "canon@example.com");
      const verifier = createVerifier({
        jwksUrl: jwksUrl(server),
        issuer: "baton",
        audience: "baton",
      });
      await expect(verifier.verify(accessToken)).resolves.toMatchObject({
        sub: expect.any(String),
      });
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      // Flipping the lowest bit of the last character changes only spare bits: it decodes alike.
      const sibling = alphabet[alphabet.indexOf(accessToken.at(-1)!) ^ 1]!;
      await expect(verifier.verify(accessToken.slice(0, -1) + sibling)).rejects.toMatchObject({
        code: "TOKEN_INVALID",
      });
    } finally {
      await server.close();
    }
  });
});

import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { signCompactJws } from "../../src/tokens/compact-jws.js";
import { symmetricKey, type SigningKey } from "../../src/tokens/signing-key.js";

function asymmetricKey(
  alg: "EdDSA" | "ES256" | "RS256",
  { privateKey, publicKey }: { privateKey: KeyObject; publicKey: KeyObject },
): SigningKey {
  return {
    kid: "k1",
    alg,
    signingKey: privateKey,
    verificationKey: publicKey,
    publicJwk: undefined,
    createdAt: 0,
    retiredAt: null,
  };
}

const ed25519Key = () => asymmetricKey("EdDSA", generateKeyPairSync("ed25519"));

describe("compact JWS signed with node:crypto", () => {
  const payload = { sub: "user-1", roles: ["a", "ü"], exp: 4_000_000_000 };

  it.each([
    ["EdDSA", ed25519Key()],
    ["ES256", asymmetricKey("ES256", generateKeyPairSync("ec", { namedCurve: "P-256" }))],
    ["RS256", asymmetricKey("RS256", generateKeyPairSync("rsa", { modulusLength: 2048 }))],
    ["HS256", symmetricKey("s".repeat(40), 0)],
  ] as const)("%s: jose verifies it, header and claims as given", async (alg, key) => {
    const token = signCompactJws({ alg, kid: key.kid, typ: "at+jwt" }, payload, key);
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: key.kid, typ: "at+jwt" });
    const { payload: verified } = await jwtVerify(token, key.verificationKey, {
      algorithms: [alg],
      typ: "at+jwt",
    });
    expect(verified).toEqual(payload);
  });

  it("a changed claim no longer verifies", async () => {
    const key = ed25519Key();
    const [header, , signature] = signCompactJws({ alg: "EdDSA" }, payload, key).split(".");
    const forged = Buffer.from(JSON.stringify({ ...payload, roles: ["admin"] })).toString(
      "base64url",
    );
    await expect(
      jwtVerify(`${header}.${forged}.${signature}`, key.verificationKey),
    ).rejects.toThrow();
  });
});

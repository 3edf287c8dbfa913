import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AccessTokens } from "../../src/tokens/access-token.js";
import { KeyRing } from "../../src/tokens/key-ring.js";
import { generateSigningKey } from "../../src/tokens/signing-key.js";
import { ManualClock } from "../support/manual-clock.js";

const settings = { issuer: "baton", audience: "baton", ttlMs: 900_000, clockToleranceMs: 0 };
const SEALING_KEY = randomBytes(32);
const claims = { sub: "u1", sid: "s1", roles: ["user"], ver: 0, emailVerified: false };

describe("verified-token verdicts across key reloads", () => {
  it("survive a reload of the same keys and a rotation; go when a key leaves the ring", async () => {
    const clock = new ManualClock();
    const { key: first } = await generateSigningKey("EdDSA", SEALING_KEY, clock.now());
    const tokens = new AccessTokens(new KeyRing([first]), settings, clock);
    const { token } = tokens.sign(claims);
    await tokens.verify(token);
    expect(tokens.verifyCached(token)?.sid).toBe("s1");

    // The 30-second reload finds the same keys: the verdict stays (no signature check again).
    tokens.useKeyRing(new KeyRing([first]));
    expect(tokens.verifyCached(token)?.sid).toBe("s1");

    // A rotation adds a key: tokens of the old one still verify, so the verdict stays.
    clock.advance(1000);
    const { key: second } = await generateSigningKey("EdDSA", SEALING_KEY, clock.now());
    tokens.useKeyRing(new KeyRing([{ ...first, retiredAt: clock.now() }, second]));
    expect(tokens.verifyCached(token)?.sid).toBe("s1");

    // The old key is gone from the ring: its tokens must be verified (and refused) again.
    tokens.useKeyRing(new KeyRing([second]));
    expect(tokens.verifyCached(token)).toBeUndefined();
  });
});

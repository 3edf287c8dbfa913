import { randomBytes } from "node:crypto";
import type { AccessTokenClaims } from "@baton/protocol";
import { AccessTokenVerifier, type VerificationKey } from "@baton/verify/kernel";
import { asAuthError } from "../errors.js";
import type { Clock } from "../clock.js";
import { signCompactJws } from "./compact-jws.js";
import type { KeyRing } from "./key-ring.js";
import { KEY_RING_ALGORITHMS } from "./signing-key.js";

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlMs: number;
  clockToleranceMs: number;
}

/**
 * How many verified tokens an instance remembers (≈ 0.9 KiB each, so ≈ 22 MiB when full): a
 * token seen before costs a map lookup, any other one an Ed25519 verification (≈ 60–100 µs).
 * Enough for every live session of a busy instance to reuse its token; past it, the oldest
 * verdicts go first and memory stays flat however many sessions are live.
 */
export const VERIFIED_TOKEN_CACHE_ENTRIES = 25_000;

/** Least time between two key reloads caused by tokens naming an unknown `kid`. */
const RELOAD_COOLDOWN_MS = 5_000;

/**
 * Issues and verifies access tokens (RFC 9068 profile: `typ: at+jwt`). Verification is the
 * kernel shared with @baton/verify (@baton/verify/kernel), with this instance's key ring as the
 * key source; its verdicts are cached per token until it expires.
 */
export class AccessTokens {
  private readonly verifier: AccessTokenVerifier;
  private reloadKeys: (() => Promise<void>) | undefined;
  private lastReload = Number.NEGATIVE_INFINITY;

  constructor(
    private ring: KeyRing,
    private readonly settings: AccessTokenSettings,
    private readonly clock: Clock,
  ) {
    this.verifier = new AccessTokenVerifier(
      {
        issuer: settings.issuer,
        audience: settings.audience,
        clockToleranceMs: settings.clockToleranceMs,
        // A ring holds HS256 alone, or keys of the asymmetric algorithms; each key verifies
        // only with its own (keyFor).
        algorithms: ring.active.alg === "HS256" ? ["HS256"] : KEY_RING_ALGORITHMS,
      },
      (kid, alg) => this.keyFor(kid, alg),
      clock,
      VERIFIED_TOKEN_CACHE_ENTRIES,
    );
  }

  /**
   * Swaps in a reloaded key ring. Cached verdicts are dropped only when a key they may rest on is
   * gone from the ring: the ring is reloaded every 30 s, and dropping every verdict each time
   * would make every live token pay a signature verification again (100,000 sessions: seconds of
   * CPU every 30 s). A key added (a rotation) takes nothing away from a verdict.
   */
  useKeyRing(ring: KeyRing): void {
    const kept = new Set(ring.kids);
    const lostKey = this.ring.kids.some((kid) => !kept.has(kid));
    this.ring = ring;
    if (lostKey) this.verifier.clear();
  }

  /**
   * A token naming a key this instance does not know may come from a key another instance just
   * rotated in: reload the ring (at most every few seconds, so junk `kid`s cannot hammer the
   * store) and look once more.
   */
  onUnknownKey(reload: () => Promise<void>): void {
    this.reloadKeys = reload;
  }

  get keyRing(): KeyRing {
    return this.ring;
  }

  /** Longest time after retirement a key must keep verifying. */
  get verifyForMs(): number {
    return this.settings.ttlMs + this.settings.clockToleranceMs;
  }

  /** Signs an access token for the session (synchronous: node:crypto, see compact-jws.ts). */
  sign(subject: {
    sub: string;
    sid: string;
    roles: string[];
    ver: number;
    emailVerified: boolean;
  }): {
    token: string;
    expiresIn: number;
  } {
    const key = this.ring.active;
    const iat = Math.floor(this.clock.now() / 1000);
    const expiresIn = Math.round(this.settings.ttlMs / 1000);
    const token = signCompactJws(
      { alg: key.alg, kid: key.kid, typ: "at+jwt" },
      {
        iss: this.settings.issuer,
        aud: this.settings.audience,
        sub: subject.sub,
        sid: subject.sid,
        roles: subject.roles,
        ver: subject.ver,
        email_verified: subject.emailVerified,
        iat,
        exp: iat + expiresIn,
        jti: randomBytes(16).toString("base64url"),
      },
      key,
    );
    return { token, expiresIn };
  }

  /**
   * Claims of a token verified before, synchronously (the hot path: a map lookup, no promise);
   * undefined when it must be verified. Throws TOKEN_EXPIRED once a cached token has expired.
   */
  verifyCached(token: string): AccessTokenClaims | undefined {
    try {
      return this.verifier.cached(token);
    } catch (error) {
      throw asAuthError(error);
    }
  }

  /** Verified claims, or AuthError TOKEN_EXPIRED / TOKEN_INVALID. */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      throw asAuthError(error);
    }
  }

  /** The ring's key for `kid` if it verifies with `alg` (each key with its own algorithm only). */
  private async keyFor(kid: string, alg: string): Promise<VerificationKey | undefined> {
    const now = this.clock.now();
    let key = this.ring.find(kid, now, this.verifyForMs);
    if (
      key === undefined &&
      !this.ring.kids.includes(kid) &&
      this.reloadKeys !== undefined &&
      now - this.lastReload >= RELOAD_COOLDOWN_MS
    ) {
      this.lastReload = now;
      await this.reloadKeys();
      key = this.ring.find(kid, now, this.verifyForMs);
    }
    return key?.alg === alg ? key.verificationKey : undefined;
  }
}

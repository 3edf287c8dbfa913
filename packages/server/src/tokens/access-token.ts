import { randomBytes } from "node:crypto";
import { errors as joseErrors, jwtVerify, type JWTHeaderParameters } from "jose";
import {
  isCanonicalBase64url,
  parseAccessTokenClaims,
  VerifiedTokenCache,
  type AccessTokenClaims,
} from "@baton/protocol";
import { AuthError } from "../errors.js";
import type { Clock } from "../clock.js";
import { signCompactJws } from "./compact-jws.js";
import type { KeyRing } from "./key-ring.js";

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlMs: number;
  clockToleranceMs: number;
}

/** Largest token we bother to look at; ours are under 1 KiB even with many roles. */
const MAX_TOKEN_LENGTH = 8192;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Issues and verifies access tokens (RFC 9068 profile: `typ: at+jwt`). Verification pins the
 * algorithm to the key's, checks the signature before any claim (jose does so), requires
 * iss/aud/typ, and caches the result per token until it expires so a reused token costs a map
 * lookup.
 */
export class AccessTokens {
  private readonly cache = new VerifiedTokenCache();
  private reloadKeys: (() => Promise<void>) | undefined;
  private lastReload = Number.NEGATIVE_INFINITY;

  constructor(
    private ring: KeyRing,
    private readonly settings: AccessTokenSettings,
    private readonly clock: Clock,
  ) {}

  /** Swaps in a reloaded key ring (after a rotation); cached verdicts are dropped with the old one. */
  useKeyRing(ring: KeyRing): void {
    this.ring = ring;
    this.cache.clear();
  }

  /**
   * A token naming a key this instance does not know may come from a key another instance just
   * rotated in: reload the ring (at most every few seconds, so junk `kid`s cannot hammer the
   * store) and try once more.
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
  sign(subject: { sub: string; sid: string; roles: string[]; ver: number }): {
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
    const cached = this.cache.get(token, this.clock.now() - this.settings.clockToleranceMs);
    if (cached === "expired") throw new AuthError("TOKEN_EXPIRED", "Access token has expired");
    return cached;
  }

  /** Verified claims, or AuthError TOKEN_EXPIRED / TOKEN_INVALID. */
  async verify(token: string): Promise<AccessTokenClaims> {
    const cached = this.verifyCached(token);
    if (cached !== undefined) return cached;
    const now = this.clock.now();

    if (
      token.length > MAX_TOKEN_LENGTH ||
      !JWT_SHAPE.test(token) ||
      !isCanonicalBase64url(token.slice(token.lastIndexOf(".") + 1))
    ) {
      throw new AuthError("TOKEN_INVALID", "Access token is malformed");
    }
    try {
      return await this.verifyUncached(token, now);
    } catch (error) {
      if (
        !(error instanceof UnknownKeyError) ||
        this.reloadKeys === undefined ||
        now - this.lastReload < RELOAD_COOLDOWN_MS
      ) {
        throw error instanceof UnknownKeyError
          ? new AuthError("TOKEN_INVALID", "Access token is invalid")
          : error;
      }
      this.lastReload = now;
      await this.reloadKeys();
      return this.verifyUncached(token, now).catch((retryError: unknown) => {
        throw retryError instanceof UnknownKeyError
          ? new AuthError("TOKEN_INVALID", "Access token is invalid")
          : retryError;
      });
    }
  }

  private async verifyUncached(token: string, now: number): Promise<AccessTokenClaims> {
    let payload: Record<string, unknown>;
    let unknownKey = false;
    try {
      const ring = this.ring;
      const result = await jwtVerify(
        token,
        (header: JWTHeaderParameters) => {
          const key =
            header.kid === undefined ? undefined : ring.find(header.kid, now, this.verifyForMs);
          if (key === undefined && header.kid !== undefined && !ring.kids.includes(header.kid)) {
            unknownKey = true;
          }
          if (key === undefined || header.alg !== key.alg) throw new joseErrors.JWKSNoMatchingKey();
          return key.verificationKey;
        },
        {
          algorithms: [this.ring.active.alg],
          issuer: this.settings.issuer,
          audience: this.settings.audience,
          typ: "at+jwt",
          clockTolerance: Math.round(this.settings.clockToleranceMs / 1000),
          currentDate: new Date(now),
          requiredClaims: ["sub", "sid", "iat", "exp", "jti"],
        },
      );
      payload = result.payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired)
        throw new AuthError("TOKEN_EXPIRED", "Access token has expired");
      if (unknownKey) throw new UnknownKeyError();
      throw new AuthError("TOKEN_INVALID", "Access token is invalid");
    }
    const claims = parseAccessTokenClaims(payload);
    if (claims === undefined)
      throw new AuthError("TOKEN_INVALID", "Access token claims are malformed");
    if (claims.iat * 1000 > now + this.settings.clockToleranceMs) {
      throw new AuthError("TOKEN_INVALID", "Access token is issued in the future");
    }
    this.cache.set(token, claims, claims.exp * 1000);
    return claims;
  }
}

const RELOAD_COOLDOWN_MS = 5_000;

/** Internal: the token's `kid` is not in this instance's ring (yet). */
class UnknownKeyError extends Error {}

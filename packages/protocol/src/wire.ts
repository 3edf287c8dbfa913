/** JSON shapes of the auth API (see docs/api.md). */
import type { ErrorCode } from "./error-codes.js";

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  /** ISO 8601 */
  createdAt: string;
  /** Whether the user proved they receive mail at `email` (verification link or code). */
  emailVerified: boolean;
}

/** Body of register, login, refresh and password-change responses. */
export interface TokenResponse {
  user: PublicUser;
  accessToken: string;
  tokenType: "Bearer";
  /** Seconds until `accessToken` expires. */
  expiresIn: number;
  /** Present only when the request asked for `"transport": "body"` (native and CLI clients). */
  refreshToken?: string;
}

export interface SessionInfo {
  id: string;
  /** True for the session the request's access token belongs to. */
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Only for VALIDATION_FAILED: which input was wrong. */
    details?: { path: string; message: string }[];
    /**
     * Only for SESSION_REVOKED, when the server knows it (a refresh of the ended session): why it
     * ended, e.g. `password-reset`, `password-changed`, `logout-all`, `revoked-by-user`.
     */
    reason?: string;
  };
}

/** Where the refresh token travels: an httpOnly cookie (browsers) or the JSON body (native apps). */
export type RefreshTransport = "cookie" | "body";

/** Claims of a Baton access token (RFC 9068 profile, header `typ: at+jwt`). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  roles: string[];
  /** The user's token version when issued: a role change raises it and stales older tokens. */
  ver: number;
  /**
   * Whether the user's address was verified when the token was issued. Tokens signed before
   * Baton knew verification lack it: read as false.
   */
  email_verified?: boolean;
  iat: number;
  exp: number;
  jti: string;
}

/** The answer of `POST /not-me`: every session ended; where to send a password reset. */
export interface NotMeResponse {
  email: string;
  sessionsEnded: number;
}

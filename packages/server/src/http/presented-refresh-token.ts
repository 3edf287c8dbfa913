import type { RefreshTransport } from "@baton/protocol";
import { AuthError } from "../errors.js";
import { readRefreshCookie } from "./refresh-cookie.js";

/** The refresh token a request presented, and how it travelled. */
export interface PresentedRefreshToken {
  token: string;
  /** `body` when the body carried it (the caller's script or app holds it), else `cookie`. */
  from: RefreshTransport;
}

/**
 * The refresh token of a request that may carry one in the HttpOnly cookie and/or the body.
 * Two different tokens are ambiguous and refused rather than one of them picked, as with two
 * refresh cookies or two Authorization headers.
 */
export function presentedRefreshToken(
  bodyToken: string | undefined,
  cookieHeader: string | string[] | undefined,
  cookieName: string,
): PresentedRefreshToken | undefined {
  const fromCookie = readRefreshCookie(cookieHeader, cookieName);
  if (fromCookie !== undefined && bodyToken !== undefined && fromCookie !== bodyToken) {
    throw new AuthError(
      "VALIDATION_FAILED",
      "Two different refresh tokens (cookie and body); send one",
    );
  }
  if (bodyToken !== undefined) return { token: bodyToken, from: "body" };
  if (fromCookie !== undefined) return { token: fromCookie, from: "cookie" };
  return undefined;
}

/**
 * Where the answer's refresh token may go. A token that lives in the HttpOnly cookie is answered
 * only in Set-Cookie: answering it in JSON would hand a script on the page (XSS) the long-lived
 * credential the cookie exists to keep from it (OWASP ASVS 3.4.2; RFC 9700 §4.14). Body transport
 * is for a client that sent its token in the body. Asking for body transport with only the cookie
 * is a confused client or a script, and is refused rather than silently answered in the cookie.
 */
export function answerTransport(
  requested: RefreshTransport | undefined,
  presentedFrom: RefreshTransport,
): RefreshTransport {
  if (requested === "body" && presentedFrom === "cookie") {
    throw new AuthError(
      "VALIDATION_FAILED",
      'transport "body" needs the refresh token in the body: a token sent in the HttpOnly cookie is answered only in the cookie',
    );
  }
  return requested ?? presentedFrom;
}

import { SESSION_HINT_COOKIE } from "@baton/protocol";
import { parse, serialize } from "cookie";
import type { BatonConfig } from "../config/options.js";
import { AuthError } from "../errors.js";

/**
 * The refresh cookie: HttpOnly (no script can read it), SameSite (Strict by default), Secure in
 * production, and Path-scoped to the auth routes so it is sent nowhere else (RFC 6265bis).
 * Next to it goes the session hint (`baton_session=1`, see {@link sessionHintCookie}): the two
 * are always set and cleared together, in this one place.
 */
export function refreshCookies(
  config: BatonConfig,
  token: string,
  expiresAt: number,
  now: number,
): string[] {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  return [
    serialize(config.cookieName, token, {
      httpOnly: true,
      secure: config.cookieSecure,
      sameSite: config.cookieSameSite,
      path: config.basePath,
      maxAge,
    }),
    sessionHintCookie(config, "1", maxAge),
  ];
}

/**
 * Clears the refresh cookie and its session hint. The refresh cookie's line comes last: curl's
 * cookie jar (7.88) keeps the first of two cookies a response expires, and what a cookie-jar
 * client must drop is the refresh cookie (a stale hint costs one request, which clears it).
 */
export function clearedRefreshCookies(config: BatonConfig): string[] {
  return [
    sessionHintCookie(config, "", 0),
    serialize(config.cookieName, "", {
      httpOnly: true,
      secure: config.cookieSecure,
      sameSite: config.cookieSameSite,
      path: config.basePath,
      maxAge: 0,
      expires: new Date(0),
    }),
  ];
}

/**
 * The session hint: tells a page whether restoring a session is worth a `POST /refresh`, so an
 * anonymous first visit makes no request the browser would print as a red 401 (@baton/client
 * reads it). It grants nothing and carries no secret, so it is readable by scripts (not
 * HttpOnly) and `Path=/` (the page must see it; the refresh cookie's path is the auth routes').
 * SameSite, Secure and expiry follow the refresh cookie, so the hint lives exactly as long.
 */
function sessionHintCookie(config: BatonConfig, value: "1" | "", maxAge: number): string {
  return serialize(SESSION_HINT_COOKIE, value, {
    secure: config.cookieSecure,
    sameSite: config.cookieSameSite,
    path: "/",
    maxAge,
    ...(maxAge === 0 && { expires: new Date(0) }),
  });
}

export function parseCookies(header: string | string[] | undefined): Record<string, string> {
  const text = Array.isArray(header) ? header.join("; ") : header;
  if (text === undefined || text === "") return {};
  const cookies: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(parse(text)))
    if (value !== undefined) cookies[name] = value;
  return cookies;
}

/**
 * The refresh token from the cookie header, if any. A header carrying the refresh cookie more
 * than once (a cookie "tossed" by a sibling subdomain, RFC 6265bis §8.6) is ambiguous and refused
 * rather than guessed at, like two Authorization headers.
 */
export function readRefreshCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  const text = Array.isArray(header) ? header.join("; ") : header;
  if (text === undefined) return undefined;
  const matches = text.split(";").filter((pair) => pair.trim().split("=", 1)[0] === name);
  if (matches.length > 1) {
    throw new AuthError(
      "VALIDATION_FAILED",
      "The refresh cookie was sent more than once; clear this site's cookies and sign in again",
    );
  }
  return parseCookies(text)[name];
}

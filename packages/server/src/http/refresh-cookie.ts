import { parse, serialize } from "cookie";
import type { BatonConfig } from "../config/options.js";
import { AuthError } from "../errors.js";

/**
 * The refresh cookie: HttpOnly (no script can read it), SameSite (Strict by default), Secure in
 * production, and Path-scoped to the auth routes so it is sent nowhere else (RFC 6265bis).
 */
export function refreshCookie(
  config: BatonConfig,
  token: string,
  expiresAt: number,
  now: number,
): string {
  return serialize(config.cookieName, token, {
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: config.cookieSameSite,
    path: config.basePath,
    maxAge: Math.max(0, Math.floor((expiresAt - now) / 1000)),
  });
}

export function clearedRefreshCookie(config: BatonConfig): string {
  return serialize(config.cookieName, "", {
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: config.cookieSameSite,
    path: config.basePath,
    maxAge: 0,
    expires: new Date(0),
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

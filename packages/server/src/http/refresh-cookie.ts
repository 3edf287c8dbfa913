import { parse, serialize } from "cookie";
import type { BatonConfig } from "../config/options.js";

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

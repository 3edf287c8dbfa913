import type { RefreshTransport } from "@baton/protocol";
import { serialize } from "cookie";
import type { BatonConfig } from "../config/options.js";
import type { Core } from "../core.js";
import type { DeviceHolder } from "../rate-limit/device-token.js";
import type { HttpReply } from "./route.js";

/** A year: the browser stays "a device that signed in before" across months of absence. */
const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

/** `__Secure-baton_device` when cookies are Secure (production), else `baton_device`. */
export function deviceCookieName(config: BatonConfig): string {
  return config.cookieSecure ? "__Secure-baton_device" : "baton_device";
}

/**
 * Every value of the device cookie in a Cookie header. All of them, not the first: a cookie
 * tossed in by a sibling subdomain (RFC 6265bis §8.6) may come first, and must not hide the
 * owner's own (each entry is checked against the account, so a foreign one is worth nothing).
 */
export function readDeviceCookies(
  header: string | string[] | undefined,
  config: BatonConfig,
): string[] {
  const text = Array.isArray(header) ? header.join("; ") : header;
  if (text === undefined) return [];
  const name = deviceCookieName(config);
  const values: string[] = [];
  for (const pair of text.split(";")) {
    const at = pair.indexOf("=");
    if (at !== -1 && pair.slice(0, at).trim() === name) values.push(pair.slice(at + 1).trim());
  }
  return values;
}

/**
 * Adds the device cookie to the answer of a browser that just proved the password (sign-up,
 * login, password change). HttpOnly, SameSite and Secure like the refresh cookie, Path-scoped to
 * the auth routes, and long-lived: it outlives logout on purpose. Clients of body transport get
 * none; their logins spend the account's shared budget.
 */
export function withDeviceCookie<Reply extends HttpReply>(
  core: Core,
  reply: Reply,
  transport: RefreshTransport,
  holder: DeviceHolder,
  presented: readonly string[],
): Reply {
  if (transport !== "cookie") return reply;
  const { config } = core;
  const cookie = serialize(
    deviceCookieName(config),
    core.loginThrottle.deviceToken(presented, holder),
    {
      httpOnly: true,
      secure: config.cookieSecure,
      sameSite: config.cookieSameSite,
      path: config.basePath,
      maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
    },
  );
  const existing = reply.headers?.["set-cookie"];
  const setCookie = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  return { ...reply, headers: { ...reply.headers, "set-cookie": [...setCookie, cookie] } };
}

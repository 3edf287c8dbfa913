import type { RefreshTransport, TokenResponse } from "@baton/protocol";
import { toPublicUser } from "../accounts/user-view.js";
import type { Core } from "../core.js";
import type { IssuedTokens } from "../sessions/issue-tokens.js";
import { refreshCookies } from "./refresh-cookie.js";
import type { HttpReply } from "./route.js";

/** The reply of every route that issues tokens. */
export interface TokenReply<Status extends number> extends HttpReply {
  status: Status;
  body: TokenResponse;
  headers: Record<string, string | string[]>;
}

/**
 * A token response: the access token in the body; the refresh token in an httpOnly cookie, or in
 * the body only when the client asked for body transport. Never cached (RFC 6749 §5.1).
 */
export function tokenReply(
  core: Core,
  issued: IssuedTokens,
  transport: RefreshTransport,
): TokenReply<200>;
export function tokenReply<Status extends number>(
  core: Core,
  issued: IssuedTokens,
  transport: RefreshTransport,
  status: Status,
): TokenReply<Status>;
export function tokenReply(
  core: Core,
  issued: IssuedTokens,
  transport: RefreshTransport,
  status = 200,
): TokenReply<number> {
  const body: TokenResponse = {
    user: toPublicUser(issued.user),
    accessToken: issued.accessToken,
    tokenType: "Bearer",
    expiresIn: issued.expiresIn,
  };
  const headers: Record<string, string | string[]> = {
    "cache-control": "no-store",
    pragma: "no-cache",
  };
  if (transport === "body") body.refreshToken = issued.refreshToken;
  else
    headers["set-cookie"] = refreshCookies(
      core.config,
      issued.refreshToken,
      issued.refreshExpiresAt,
      core.clock.now(),
    );
  return { status, body, headers };
}

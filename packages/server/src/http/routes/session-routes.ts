import { refresh } from "../../sessions/refresh.js";
import {
  listSessions,
  logout,
  logoutAll,
  revokeOwnSession,
  revokeRefreshToken,
} from "../../sessions/end-session.js";
import { authenticate } from "../../sessions/authenticate.js";
import { userActor } from "../../actor.js";
import { AuthError } from "../../errors.js";
import type { AuthInfo } from "../../core.js";
import { answerTransport, presentedRefreshToken } from "../presented-refresh-token.js";
import { clearedRefreshCookies } from "../refresh-cookie.js";
import { countHeader, firstHeaderValue } from "@baton/verify/kernel";
import {
  ErrorBodySchema,
  IdParams,
  LogoutBody,
  RefreshBody,
  RevokeBody,
  SessionsResponseSchema,
  TokenResponseSchema,
} from "../schemas.js";
import { defineRoute } from "../route.js";
import { tokenReply } from "../token-reply.js";

export const refreshRoute = defineRoute({
  method: "POST",
  path: "/refresh",
  aliases: ["/refresh-token"],
  scope: "auth",
  operationId: "refresh",
  summary:
    "Exchange the refresh token (cookie, or body) for a new access token and a rotated refresh token",
  auth: "none",
  optionalCredentials: ["refreshCookie"],
  consumesRefreshCookie: true,
  rateLimited: true,
  body: RefreshBody,
  responses: {
    200: { description: "New tokens", schema: TokenResponseSchema },
    401: {
      description:
        "REFRESH_MISSING, REFRESH_INVALID, REFRESH_REUSED or SESSION_REVOKED: the session is over",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, headers, meta }) {
    const presented = presentedRefreshToken(
      body.refreshToken,
      headers.cookie,
      core.config.cookieName,
    );
    if (presented === undefined || presented.token === "")
      throw new AuthError("REFRESH_MISSING", "No refresh token: sign in again");
    const transport = answerTransport(body.transport, presented.from);
    return tokenReply(core, await refresh(core, presented.token, meta), transport);
  },
});

export const logoutRoute = defineRoute({
  method: "POST",
  path: "/logout",
  scope: "auth",
  operationId: "logout",
  summary:
    "End this session (identified by the refresh cookie/body token, or the Bearer token); clears the cookie",
  auth: "none",
  optionalCredentials: ["refreshCookie", "bearer"],
  rateLimited: true,
  body: LogoutBody,
  responses: { 204: { description: "Signed out (also when already signed out)" } },
  async handle({ core, body, headers, meta, rawHeaders }) {
    let auth: AuthInfo | undefined;
    if (headers.authorization !== undefined) {
      const header = firstHeaderValue(headers.authorization);
      auth = await authenticate(core, header, countHeader(rawHeaders, "authorization")).catch(
        () => undefined,
      );
    }
    const presented = presentedRefreshToken(
      body.refreshToken,
      headers.cookie,
      core.config.cookieName,
    );
    await logout(core, { refreshToken: presented?.token, auth }, meta);
    return { status: 204, headers: { "set-cookie": clearedRefreshCookies(core.config) } };
  },
});

export const logoutAllRoute = defineRoute({
  method: "POST",
  path: "/logout-all",
  scope: "auth",
  operationId: "logoutAll",
  summary: "End every session of the user, on every device",
  auth: "bearer",
  rateLimited: true,
  responses: { 204: { description: "All sessions ended" } },
  async handle({ core, auth, meta }) {
    await logoutAll(core, userActor(auth), auth.userId, meta);
    return { status: 204, headers: { "set-cookie": clearedRefreshCookies(core.config) } };
  },
});

export const sessionsRoute = defineRoute({
  method: "GET",
  path: "/sessions",
  aliases: ["/tokens"],
  scope: "auth",
  operationId: "listSessions",
  summary: "The user's active sessions (one per device)",
  auth: "bearer",
  rateLimited: true,
  responses: {
    200: { description: "Sessions, most recently used first", schema: SessionsResponseSchema },
  },
  async handle({ core, auth }) {
    return { status: 200, body: { sessions: await listSessions(core, userActor(auth)) } };
  },
});

export const revokeSessionRoute = defineRoute({
  method: "DELETE",
  path: "/sessions/:id",
  scope: "auth",
  operationId: "revokeSession",
  summary: "End one of the user's sessions (another user's session id answers 404)",
  auth: "bearer",
  rateLimited: true,
  params: IdParams,
  responses: {
    204: { description: "Session ended" },
    404: { description: "NOT_FOUND", schema: ErrorBodySchema },
  },
  async handle({ core, auth, params, meta }) {
    await revokeOwnSession(core, userActor(auth), params.id, meta);
    return { status: 204 };
  },
});

export const revokeRoute = defineRoute({
  method: "POST",
  path: "/revoke",
  aliases: ["/revoke-token"],
  scope: "auth",
  operationId: "revokeRefreshToken",
  summary:
    "Revoke a refresh token and its session (RFC 7009: the same answer whether or not it existed)",
  auth: "none",
  rateLimited: true,
  body: RevokeBody,
  responses: { 204: { description: "Revoked, or never existed" } },
  async handle({ core, body, meta }) {
    await revokeRefreshToken(core, body.refreshToken, meta);
    return { status: 204 };
  },
});

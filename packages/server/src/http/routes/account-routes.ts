import type { RefreshTransport } from "@baton/protocol";
import { changePassword } from "../../accounts/change-password.js";
import { userActor } from "../../actor.js";
import { register } from "../../accounts/register.js";
import { reportNotMe } from "../../accounts/not-me.js";
import { clearedRefreshCookies } from "../refresh-cookie.js";
import { currentUser, publicViewOf } from "../../accounts/current-user.js";
import { login } from "../../sessions/login.js";
import { sessionIdOfRefreshToken } from "../../sessions/refresh-token-session.js";
import { answerTransport } from "../presented-refresh-token.js";
import { readRefreshCookie } from "../refresh-cookie.js";
import {
  ErrorBodySchema,
  LoginBody,
  NotMeBody,
  NotMeResponseSchema,
  PasswordBody,
  RegisterBody,
  TokenResponseSchema,
  UserResponseSchema,
} from "../schemas.js";
import { defineRoute } from "../route.js";
import { readDeviceCookies, withDeviceCookie } from "../device-cookie.js";
import { tokenReply } from "../token-reply.js";

export const registerRoute = defineRoute({
  method: "POST",
  path: "/register",
  aliases: ["/signup"],
  scope: "auth",
  operationId: "register",
  summary: "Create an account and sign in on this device",
  auth: "none",
  rateLimited: true,
  passwordEntry: "sign-up",
  body: RegisterBody,
  responses: {
    201: {
      description: "Account created; refresh token set as a cookie (or in the body)",
      schema: TokenResponseSchema,
    },
    401: {
      description: "INVALID_CREDENTIALS: the account was deleted before its first session opened",
      schema: ErrorBodySchema,
    },
    403: {
      description:
        "EMAIL_NOT_VERIFIED (EMAIL_VERIFICATION=required): the account was created and its verification mailed; sign in once it is verified",
      schema: ErrorBodySchema,
    },
    409: { description: "EMAIL_TAKEN", schema: ErrorBodySchema },
  },
  async handle({ core, body, headers, meta }) {
    const transport = body.transport ?? "cookie";
    const issued = await register(core, body, meta);
    const devices = readDeviceCookies(headers.cookie, core.config);
    return withDeviceCookie(
      core,
      tokenReply(core, issued, transport, 201),
      transport,
      issued.user,
      devices,
    );
  },
});

export const loginRoute = defineRoute({
  method: "POST",
  path: "/login",
  scope: "auth",
  operationId: "login",
  summary: "Sign in with email and password; opens a new session",
  auth: "none",
  rateLimited: true,
  passwordEntry: "sign-in",
  body: LoginBody,
  responses: {
    200: { description: "Signed in", schema: TokenResponseSchema },
    401: {
      description:
        "INVALID_CREDENTIALS (also when the password was changed while this login checked it)",
      schema: ErrorBodySchema,
    },
    403: {
      description:
        "EMAIL_NOT_VERIFIED (EMAIL_VERIFICATION=required): the password is right but the address is not verified yet (POST /email/verify/resend sends a new mail)",
      schema: ErrorBodySchema,
    },
    429: {
      description:
        "RATE_LIMITED: this client's wrong-password budget is spent (this device's, or the account's for clients that never signed in to it, or this address's); see Retry-After",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, headers, meta }) {
    const transport = body.transport ?? "cookie";
    const devices = readDeviceCookies(headers.cookie, core.config);
    const issued = await login(core, body, meta, devices);
    return withDeviceCookie(
      core,
      tokenReply(core, issued, transport),
      transport,
      issued.user,
      devices,
    );
  },
});

export const meRoute = defineRoute({
  method: "GET",
  path: "/me",
  scope: "auth",
  operationId: "getMe",
  summary: "The signed-in user",
  auth: "bearer",
  rateLimited: true,
  responses: { 200: { description: "The user", schema: UserResponseSchema } },
  async handle({ core, auth }) {
    return { status: 200, body: { user: publicViewOf(await currentUser(core, auth.userId)) } };
  },
});

export const passwordRoute = defineRoute({
  method: "POST",
  path: "/password",
  scope: "auth",
  operationId: "changePassword",
  summary: "Change the password; ends every other session and returns a fresh token pair",
  auth: "bearer",
  rateLimited: true,
  body: PasswordBody,
  responses: {
    200: { description: "Password changed", schema: TokenResponseSchema },
    401: {
      description:
        "INVALID_CREDENTIALS (current password wrong, or changed meanwhile), or a token error",
      schema: ErrorBodySchema,
    },
    429: {
      description:
        "RATE_LIMITED: this session's wrong-current-password budget is spent; see Retry-After",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, auth, headers, meta }) {
    const requested: RefreshTransport = body.transport ?? "cookie";
    // The answer carries this session's next refresh token. When the request carries this
    // session's refresh cookie, the token lives there and so does its successor (checked before
    // anything changes).
    const cookie = readRefreshCookie(headers.cookie, core.config.cookieName);
    const inCookie =
      requested === "body" &&
      cookie !== undefined &&
      (await sessionIdOfRefreshToken(core, cookie)) === auth.sessionId;
    const transport = answerTransport(requested, inCookie ? "cookie" : "body");
    const issued = await changePassword(core, userActor(auth), body, meta);
    // The device cookies issued before are void now (bound to the old password): renew this one.
    const devices = readDeviceCookies(headers.cookie, core.config);
    return withDeviceCookie(
      core,
      tokenReply(core, issued, transport),
      transport,
      issued.user,
      devices,
    );
  },
});

export const notMeRoute = defineRoute({
  method: "POST",
  path: "/not-me",
  scope: "auth",
  operationId: "reportNotMe",
  summary:
    "\"This wasn't me\": with the token of a security mail's link, end every session of the account; answers the address to send a password reset to",
  auth: "none",
  rateLimited: true,
  body: NotMeBody,
  responses: {
    200: {
      description: "Every session ended (this browser's refresh cookie cleared too)",
      schema: NotMeResponseSchema,
    },
    400: {
      description: "LINK_INVALID: unknown, expired, used, or replaced by a newer mail's link",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, meta }) {
    const reported = await reportNotMe(core, body.token, meta);
    return {
      status: 200,
      body: reported,
      headers: { "set-cookie": clearedRefreshCookies(core.config) },
    };
  },
});

import type { PresentedSecret } from "../../account-tokens/account-tokens.js";
import { requestPasswordReset, resetPassword } from "../../accounts/password-reset.js";
import { AuthError } from "../../errors.js";
import { readDeviceCookies, withDeviceCookie } from "../device-cookie.js";
import { defineRoute } from "../route.js";
import {
  AcceptedResponseSchema,
  ErrorBodySchema,
  ForgotPasswordBody,
  ResetPasswordBody,
  TokenResponseSchema,
} from "../schemas.js";
import { tokenReply } from "../token-reply.js";

export const forgotPasswordRoute = defineRoute({
  method: "POST",
  path: "/password/forgot",
  scope: "auth",
  operationId: "requestPasswordReset",
  summary:
    "Mail a password-reset link and code to the address, if it has an account; the answer is the same either way",
  auth: "none",
  rateLimited: true,
  body: ForgotPasswordBody,
  responses: {
    202: {
      description:
        "Accepted: the same answer, in the same time, for every address. A mail goes out only when the address has an account and has not had 3 in the last 15 minutes",
      schema: AcceptedResponseSchema,
    },
    404: { description: "FEATURE_DISABLED: this server sends no mail", schema: ErrorBodySchema },
    429: {
      description: "RATE_LIMITED: too many requests from this client address; see Retry-After",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, meta }) {
    await requestPasswordReset(core, body, meta);
    return { status: 202, body: { accepted: true as const } };
  },
});

export const resetPasswordRoute = defineRoute({
  method: "POST",
  path: "/password/reset",
  scope: "auth",
  operationId: "resetPassword",
  summary:
    "Set a new password with the mailed link's token (or the mailed code and the address); ends every session and signs in on this device",
  auth: "none",
  rateLimited: true,
  body: ResetPasswordBody,
  responses: {
    200: {
      description: "Password set; signed in (refresh token as a cookie, or in the body)",
      schema: TokenResponseSchema,
    },
    400: {
      description:
        "LINK_INVALID (unknown, expired, used or replaced link or code, too many wrong codes, or the password changed since), or VALIDATION_FAILED",
      schema: ErrorBodySchema,
    },
    404: { description: "FEATURE_DISABLED: this server sends no mail", schema: ErrorBodySchema },
  },
  async handle({ core, body, headers, meta }) {
    const transport = body.transport ?? "cookie";
    const issued = await resetPassword(
      core,
      { presented: presentedSecret(body), password: body.password },
      meta,
    );
    // Device cookies issued before were bound to the old password: give this browser a new one.
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

/** The link's token, or the typed code with its address: exactly one of the two. */
function presentedSecret(body: { token?: string; email?: string; code?: string }): PresentedSecret {
  if (body.token !== undefined && body.email === undefined && body.code === undefined)
    return { token: body.token };
  if (body.token === undefined && body.email !== undefined && body.code !== undefined)
    return { email: body.email, code: body.code };
  throw new AuthError("VALIDATION_FAILED", "Send either token, or email and code", {
    details: [{ path: "/token", message: "send either token, or email and code" }],
  });
}

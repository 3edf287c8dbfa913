import { countHeader, firstHeaderValue } from "@baton/verify/kernel";
import { requestEmailChange, undoEmailChange } from "../../accounts/email-change.js";
import {
  resendVerification,
  resendVerificationByEmail,
  verifyEmail,
} from "../../accounts/email-verification.js";
import { toPublicUser } from "../../accounts/user-view.js";
import { userActor } from "../../actor.js";
import type { AuthInfo, Core } from "../../core.js";
import { AuthError } from "../../errors.js";
import { authenticate } from "../../sessions/authenticate.js";
import { defineRoute, type HttpRequest } from "../route.js";
import {
  ChangeEmailBody,
  ErrorBodySchema,
  ResendVerificationBody,
  UndoEmailChangeBody,
  UserResponseSchema,
  VerifyEmailBody,
} from "../schemas.js";

const MAIL_OFF = {
  description: "FEATURE_DISABLED: this server sends no mail (production without SMTP_URL)",
  schema: ErrorBodySchema,
};

export const verifyEmailRoute = defineRoute({
  method: "POST",
  path: "/email/verify",
  scope: "auth",
  operationId: "verifyEmail",
  summary:
    "Redeem a mailed verification link or code: verifies the address, or applies an email change",
  auth: "none",
  optionalCredentials: ["bearer"],
  rateLimited: true,
  body: VerifyEmailBody,
  responses: {
    200: {
      description:
        "Verified (or the change applied): the user as it is now. Access tokens say so from the next refresh",
      schema: UserResponseSchema,
    },
    400: {
      description:
        "LINK_INVALID (unknown, used, replaced, expired, too many wrong codes), or VALIDATION_FAILED",
      schema: ErrorBodySchema,
    },
    404: MAIL_OFF,
    409: {
      description: "EMAIL_TAKEN: another account took the new address meanwhile; nothing changed",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, headers, rawHeaders, meta }) {
    let user;
    if (body.token !== undefined && body.code === undefined && body.email === undefined)
      user = await verifyEmail(core, { token: body.token }, meta);
    else if (body.code !== undefined && body.token === undefined && body.email !== undefined)
      user = await verifyEmail(core, { code: body.code, email: body.email }, meta);
    else if (body.code !== undefined && body.token === undefined) {
      const auth = await optionalCaller(core, headers, rawHeaders);
      if (auth === undefined) throw codeNeedsAccount();
      user = await verifyEmail(core, { code: body.code, userId: auth.userId }, meta);
    } else throw codeNeedsAccount();
    return { status: 200, body: { user: toPublicUser(user) } };
  },
});

export const resendVerificationRoute = defineRoute({
  method: "POST",
  path: "/email/verify/resend",
  scope: "auth",
  operationId: "resendVerification",
  summary: "Mail a new verification (signed in, or by address without a session)",
  auth: "none",
  optionalCredentials: ["bearer"],
  rateLimited: true,
  body: ResendVerificationBody,
  responses: {
    202: {
      description:
        "Sent (signed in: unless already verified). By address: the same answer for every address",
    },
    400: {
      description: "VALIDATION_FAILED: neither a Bearer token nor `email`",
      schema: ErrorBodySchema,
    },
    404: MAIL_OFF,
    429: {
      description:
        "RATE_LIMITED: signed in, a verification went out less than a minute ago; by address, this client asked too often. See Retry-After",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, headers, rawHeaders, meta }) {
    const auth = await optionalCaller(core, headers, rawHeaders);
    if (auth !== undefined) await resendVerification(core, auth.userId, meta);
    else if (body.email !== undefined) await resendVerificationByEmail(core, body.email, meta);
    else
      throw new AuthError("VALIDATION_FAILED", "Sign in, or say which address to send to", {
        details: [{ path: "/email", message: "is required without a Bearer token" }],
      });
    return { status: 202 };
  },
});

export const changeEmailRoute = defineRoute({
  method: "POST",
  path: "/email",
  scope: "auth",
  operationId: "changeEmail",
  summary:
    "Ask to change the address: mails a confirmation to the new one; nothing changes until it comes back",
  auth: "bearer",
  rateLimited: true,
  body: ChangeEmailBody,
  responses: {
    202: { description: "Confirmation mailed to the new address" },
    400: {
      description: "VALIDATION_FAILED (also: already the account's address)",
      schema: ErrorBodySchema,
    },
    401: {
      description: "INVALID_CREDENTIALS (wrong password), or a token error",
      schema: ErrorBodySchema,
    },
    404: MAIL_OFF,
    409: { description: "EMAIL_TAKEN: another account has this address", schema: ErrorBodySchema },
    429: {
      description: "RATE_LIMITED: this session's wrong-password budget is spent; see Retry-After",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, auth, meta }) {
    await requestEmailChange(core, userActor(auth), body, meta);
    return { status: 202 };
  },
});

export const undoEmailChangeRoute = defineRoute({
  method: "POST",
  path: "/email/undo",
  scope: "auth",
  operationId: "undoEmailChange",
  summary:
    "Redeem the undo link mailed to the old address: restores it and signs out every session",
  auth: "none",
  rateLimited: true,
  body: UndoEmailChangeBody,
  responses: {
    204: { description: "The old address is back; every session of the account has ended" },
    400: { description: "LINK_INVALID", schema: ErrorBodySchema },
    404: MAIL_OFF,
    409: {
      description: "EMAIL_TAKEN: another account registered the old address since; nothing changed",
      schema: ErrorBodySchema,
    },
  },
  async handle({ core, body, meta }) {
    await undoEmailChange(core, { token: body.token }, meta);
    return { status: 204 };
  },
});

/** The caller when a Bearer token came with the request (its errors, e.g. expired, are answered). */
async function optionalCaller(
  core: Core,
  headers: HttpRequest["headers"],
  rawHeaders: readonly string[],
): Promise<AuthInfo | undefined> {
  if (headers.authorization === undefined) return undefined;
  return authenticate(
    core,
    firstHeaderValue(headers.authorization),
    countHeader(rawHeaders, "authorization"),
  );
}

function codeNeedsAccount(): AuthError {
  return new AuthError(
    "VALIDATION_FAILED",
    "Send the link's `token`, or a `code` (with `email` when not signed in)",
    { details: [{ path: "", message: "token, or code (with email when not signed in)" }] },
  );
}

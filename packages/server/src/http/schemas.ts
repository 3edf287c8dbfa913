import { Type } from "@sinclair/typebox";
import { ERROR_CODES } from "@baton/protocol";

/**
 * JSON Schemas of every request and response (they also generate /openapi.json). Strict: no
 * extra properties, no type coercion — a number where a string belongs is VALIDATION_FAILED.
 * A `title` names the schema: /openapi.json lists it once under that name in
 * `components.schemas` and refers to it, so generated clients get a named type.
 */
const strict = { additionalProperties: false } as const;

const Transport = Type.Union([Type.Literal("cookie"), Type.Literal("body")], {
  title: "RefreshTransport",
  description:
    'Where the refresh token travels. "body" returns it in the JSON (native apps); the default sets an httpOnly cookie. A token that came in the cookie is answered only in the cookie ("body" is then 400 VALIDATION_FAILED).',
});
const Email = Type.String({
  maxLength: 320,
  description: "Normalised (NFKC, trimmed, lower-case) before use.",
});
const Password = Type.String({ maxLength: 256, description: "8 to 256 characters." });
const RefreshToken = Type.String({ maxLength: 512 });

const Name = (description: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength: 400 }), Type.Null()], { description }));

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Name("Display name: at most 100 characters, one line."),
    // Other apps' sign-up forms (docs/migrating.md): the same name under another field; spellings
    // that disagree are 400 VALIDATION_FAILED.
    fullName: Name("Another spelling of `name`; if both are sent they must agree."),
    firstName: Name("With `lastName`, another spelling of `name` (joined by a space)."),
    lastName: Name("With `firstName`, another spelling of `name`."),
    transport: Type.Optional(Transport),
  },
  { ...strict, title: "RegisterBody" },
);

export const LoginBody = Type.Object(
  { email: Email, password: Password, transport: Type.Optional(Transport) },
  { ...strict, title: "LoginBody" },
);

export const RefreshBody = Type.Object(
  { refreshToken: Type.Optional(RefreshToken), transport: Type.Optional(Transport) },
  { ...strict, title: "RefreshBody" },
);

export const LogoutBody = Type.Object(
  { refreshToken: Type.Optional(RefreshToken) },
  {
    ...strict,
    title: "LogoutBody",
  },
);

export const RevokeBody = Type.Object(
  { refreshToken: RefreshToken },
  {
    ...strict,
    title: "RevokeBody",
  },
);

export const PasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password, transport: Type.Optional(Transport) },
  { ...strict, title: "PasswordBody" },
);

export const ForgotPasswordBody = Type.Object(
  { email: Email },
  { ...strict, title: "ForgotPasswordBody" },
);

/** A mailed link's token, as the page reads it from the link's fragment. */
const LinkToken = Type.String({
  minLength: 1,
  maxLength: 128,
  description: "The token from the mailed link's fragment (`#token=…`).",
});

/** A mailed code, as typed from the mail. */
const MailedCode = Type.String({
  minLength: 1,
  maxLength: 32,
  description: "The mailed code (`ABCD-EFGH`; case, spaces and dashes do not matter).",
});

/** Either `token` (the link) or `email` with `code` (the code typed from the mail). */
export const ResetPasswordBody = Type.Object(
  {
    token: Type.Optional(LinkToken),
    email: Type.Optional(Email),
    code: Type.Optional(MailedCode),
    password: Password,
    transport: Type.Optional(Transport),
  },
  { ...strict, title: "ResetPasswordBody" },
);

export const AcceptedResponseSchema = Type.Object(
  { accepted: Type.Literal(true) },
  { title: "Accepted" },
);

export const VerifyEmailBody = Type.Object(
  {
    token: Type.Optional(LinkToken),
    code: Type.Optional(MailedCode),
    email: Type.Optional(
      Type.String({
        maxLength: 320,
        description: "With `code` and no session: the account's address.",
      }),
    ),
  },
  {
    ...strict,
    title: "VerifyEmailBody",
    description:
      "`token`, or `code` with a Bearer token (signed in), or `code` with `email` (not signed in).",
  },
);

export const ResendVerificationBody = Type.Object(
  {
    email: Type.Optional(
      Type.String({
        maxLength: 320,
        description:
          "Without a Bearer token: the address to send to (same answer for any address).",
      }),
    ),
  },
  { ...strict, title: "ResendVerificationBody" },
);

export const ChangeEmailBody = Type.Object(
  { newEmail: Email, password: Password },
  { ...strict, title: "ChangeEmailBody" },
);

export const UndoEmailChangeBody = Type.Object(
  { token: LinkToken },
  { ...strict, title: "UndoEmailChangeBody" },
);

export const RolesBody = Type.Object(
  { roles: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }) },
  { ...strict, title: "RolesBody" },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, strict);

/** Users per page when the query names no `limit`. */
export const DEFAULT_PAGE_LIMIT = 50;
// Query values are strings (never coerced), so the bounds are patterns: 1 to 6 digits, and for
// `limit` a value of 1 to 100 (leading zeros allowed, as they always were).
const PageLimit = Type.String({
  pattern: "^(?=[0-9]{1,6}$)0*(?:[1-9][0-9]?|100)$",
  description: `a whole number from 1 to 100 (${DEFAULT_PAGE_LIMIT} when absent)`,
});
const PageOffset = Type.String({
  pattern: "^[0-9]{1,6}$",
  description: "a whole number from 0 to 999999 (0 when absent)",
});
export const PageQuery = Type.Object(
  { limit: Type.Optional(PageLimit), offset: Type.Optional(PageOffset) },
  strict,
);

export const PublicUserSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    roles: Type.Array(Type.String()),
    createdAt: Type.String({ format: "date-time" }),
    emailVerified: Type.Boolean({
      description: "Whether the user proved they receive mail at `email`.",
    }),
  },
  { title: "User" },
);

export const TokenResponseSchema = Type.Object(
  {
    user: PublicUserSchema,
    accessToken: Type.String(),
    tokenType: Type.Literal("Bearer"),
    expiresIn: Type.Integer({ description: "Seconds until the access token expires." }),
    refreshToken: Type.Optional(Type.String({ description: 'Only with "transport": "body".' })),
  },
  { title: "TokenResponse" },
);

export const UserResponseSchema = Type.Object(
  { user: PublicUserSchema },
  { title: "UserResponse" },
);

const SessionSchema = Type.Object(
  {
    id: Type.String(),
    current: Type.Boolean({ description: "True for the session of this request's access token." }),
    createdAt: Type.String({ format: "date-time" }),
    lastUsedAt: Type.String({ format: "date-time" }),
    expiresAt: Type.String({ format: "date-time" }),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
  },
  { title: "Session" },
);

export const SessionsResponseSchema = Type.Object(
  { sessions: Type.Array(SessionSchema) },
  { title: "SessionList" },
);

export const UsersResponseSchema = Type.Object(
  {
    users: Type.Array(PublicUserSchema),
    total: Type.Integer(),
    limit: Type.Integer(),
    offset: Type.Integer(),
  },
  { title: "UserPage" },
);

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(
        ERROR_CODES.map((code) => Type.Literal(code)),
        { title: "ErrorCode", description: "Branch on the code, never on the message." },
      ),
      message: Type.String(),
      details: Type.Optional(
        Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
          description: "Only for VALIDATION_FAILED: which input was wrong.",
        }),
      ),
      reason: Type.Optional(
        Type.String({
          description:
            "Only for SESSION_REVOKED, when known: why the session ended (password-reset, password-changed, logout-all, revoked-by-user, …).",
        }),
      ),
    }),
  },
  { title: "Error" },
);

export const NotMeBody = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 512,
      description: "The token of a \"this wasn't me\" link (its fragment's `token`).",
    }),
  },
  { ...strict, title: "NotMeBody" },
);

export const NotMeResponseSchema = Type.Object(
  {
    email: Type.String({ description: "The account's address: where to send a password reset." }),
    sessionsEnded: Type.Integer({ minimum: 0 }),
  },
  { ...strict, title: "NotMeResponse" },
);

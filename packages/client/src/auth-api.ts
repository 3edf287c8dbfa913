import type {
  NotMeResponse,
  PublicUser,
  RefreshTransport,
  SessionInfo,
  TokenResponse,
} from "@baton/protocol";
import { HttpError } from "./errors.js";
import type { ApiResponse, Transport } from "./transport.js";

/**
 * Credentials for `register`.
 *
 * @example
 * ```ts
 * const input: RegisterInput = { email: "ada@example.com", password: "correct horse battery", name: "Ada" };
 * ```
 */
export interface RegisterInput {
  email: string;
  password: string;
  name?: string;
}

/**
 * Credentials for `login`.
 *
 * @example
 * ```ts
 * const input: LoginInput = { email: "ada@example.com", password: "correct horse battery" };
 * ```
 */
export interface LoginInput {
  email: string;
  password: string;
}

/**
 * Input of `changePassword`.
 *
 * @example
 * ```ts
 * const input: ChangePasswordInput = { currentPassword: "old one", newPassword: "a much better one" };
 * ```
 */
export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

/**
 * What proves a password reset: the token from the mailed link's fragment, or the mailed code
 * with the address it went to.
 *
 * @example
 * ```ts
 * const fromLink: ResetSecret = { token: new URLSearchParams(location.hash.slice(1)).get("token")! };
 * const fromCode: ResetSecret = { email: "ada@example.com", code: "ABCD-EFGH" };
 * ```
 */
export type ResetSecret = { token: string } | { email: string; code: string };

/**
 * What `verifyEmail` redeems: the token from the mailed link's fragment, or the mailed code
 * (with the account's `email` when nobody is signed in).
 *
 * @example
 * ```ts
 * const fromLink: VerifyEmailInput = { token: new URLSearchParams(location.hash.slice(1)).get("token")! };
 * const typed: VerifyEmailInput = { code: "ABCD-EFGH" };
 * ```
 */
export type VerifyEmailInput = { token: string } | { code: string; email?: string };

/**
 * Input of `changeEmail`: the new address and the current password.
 *
 * @example
 * ```ts
 * const input: ChangeEmailInput = { newEmail: "ada@new.example", password: "correct horse battery" };
 * ```
 */
export interface ChangeEmailInput {
  newEmail: string;
  password: string;
}

/**
 * The Baton endpoints as typed calls, one per route of docs/api.md. Stateless: tokens go in,
 * responses come out; the client decides what to keep.
 */
export interface AuthApi {
  register(input: RegisterInput): Promise<ApiResponse<TokenResponse>>;
  login(input: LoginInput): Promise<ApiResponse<TokenResponse>>;
  /** Cookie transport sends the cookie; body transport needs the stored refresh token. */
  refresh(
    refreshToken: string | undefined,
    options?: { timeoutMs?: number },
  ): Promise<ApiResponse<TokenResponse>>;
  /** Ends this session on the server (cookie, or the refresh token via `/revoke`). */
  logout(refreshToken: string | undefined): Promise<void>;
  logoutAll(accessToken: string): Promise<void>;
  me(accessToken: string): Promise<PublicUser>;
  sessions(accessToken: string): Promise<SessionInfo[]>;
  revokeSession(accessToken: string, sessionId: string): Promise<void>;
  changePassword(
    accessToken: string,
    input: ChangePasswordInput,
  ): Promise<ApiResponse<TokenResponse>>;
  requestPasswordReset(email: string): Promise<void>;
  resetPassword(secret: ResetSecret, password: string): Promise<ApiResponse<TokenResponse>>;
  /** `accessToken` only for a code without `email`. */
  verifyEmail(input: VerifyEmailInput, accessToken?: string): Promise<PublicUser>;
  /** Signed in (`accessToken`), or by `email` without a session. */
  resendVerification(request: { accessToken: string } | { email: string }): Promise<void>;
  changeEmail(accessToken: string, input: ChangeEmailInput): Promise<void>;
  undoEmailChange(token: string): Promise<void>;
  /** "This wasn't me": the token of a security mail's link ends every session of the account. */
  reportNotMe(token: string): Promise<NotMeResponse>;
}

/** Creates the {@link AuthApi} for one refresh transport. */
export function createAuthApi(transport: Transport, mode: RefreshTransport): AuthApi {
  const cookie = mode === "cookie";
  // Only body transport asks for the refresh token in the JSON: a browser must never see it.
  const asking = cookie ? {} : { transport: "body" as const };

  const tokenCall = async (
    path: string,
    body: unknown,
    extra: { accessToken?: string; timeoutMs?: number } = {},
  ): Promise<ApiResponse<TokenResponse>> => {
    const response = await transport.request<TokenResponse>("POST", path, {
      body,
      withCookie: cookie,
      ...extra,
    });
    assertTokenResponse(response.body, response.status, !cookie);
    return response;
  };

  return {
    register: (input) => tokenCall("/register", { ...input, ...asking }),
    login: (input) => tokenCall("/login", { ...input, ...asking }),
    refresh: (refreshToken, options = {}) => {
      if (cookie) return tokenCall("/refresh", {}, options);
      if (!refreshToken) {
        return Promise.reject(
          new HttpError(401, "REFRESH_MISSING", "No refresh token is stored for this client."),
        );
      }
      return tokenCall("/refresh", { refreshToken, transport: "body" }, options);
    },
    async logout(refreshToken) {
      if (cookie) {
        // The cookie alone identifies the session; a Bearer header that has expired could only
        // turn a fine logout into a TOKEN_EXPIRED error.
        await transport.request("POST", "/logout", { withCookie: true });
      } else if (refreshToken) {
        // RFC 7009 style: works without a valid access token and answers 204 either way.
        await transport.request("POST", "/revoke", { body: { refreshToken } });
      }
    },
    async logoutAll(accessToken) {
      await transport.request("POST", "/logout-all", { accessToken });
    },
    async me(accessToken) {
      const { body } = await transport.request<{ user: PublicUser }>("GET", "/me", {
        accessToken,
      });
      return body.user;
    },
    async sessions(accessToken) {
      const { body } = await transport.request<{ sessions: SessionInfo[] }>("GET", "/sessions", {
        accessToken,
      });
      return body.sessions;
    },
    async revokeSession(accessToken, sessionId) {
      await transport.request("DELETE", `/sessions/${encodeURIComponent(sessionId)}`, {
        accessToken,
      });
    },
    changePassword: (accessToken, input) =>
      tokenCall("/password", { ...input, ...asking }, { accessToken }),
    async requestPasswordReset(email) {
      await transport.request("POST", "/password/forgot", { body: { email } });
    },
    resetPassword: (secret, password) =>
      tokenCall("/password/reset", {
        ...("token" in secret
          ? { token: secret.token }
          : { email: secret.email, code: secret.code }),
        password,
        ...asking,
      }),
    async verifyEmail(input, accessToken) {
      const { body } = await transport.request<{ user: PublicUser }>("POST", "/email/verify", {
        body: input,
        ...(accessToken === undefined ? {} : { accessToken }),
      });
      return body.user;
    },
    async resendVerification(request) {
      await transport.request("POST", "/email/verify/resend", {
        body: "email" in request ? { email: request.email } : {},
        ...("accessToken" in request ? { accessToken: request.accessToken } : {}),
      });
    },
    async changeEmail(accessToken, input) {
      await transport.request("POST", "/email", { body: input, accessToken });
    },
    async undoEmailChange(token) {
      await transport.request("POST", "/email/undo", { body: { token } });
    },
    async reportNotMe(token) {
      // With the cookie: the answer clears this browser's refresh cookie, its session is over too.
      const { body } = await transport.request<NotMeResponse>("POST", "/not-me", {
        body: { token },
        withCookie: cookie,
      });
      return body;
    },
  };
}

function assertTokenResponse(body: unknown, status: number, needsRefreshToken: boolean): void {
  const value = body as Partial<TokenResponse> | undefined;
  const valid =
    typeof value?.accessToken === "string" &&
    typeof value.user === "object" &&
    value.user !== null &&
    (!needsRefreshToken || typeof value.refreshToken === "string");
  if (!valid) {
    throw new HttpError(status, "HTTP_ERROR", "The auth server sent an unexpected token response.");
  }
}

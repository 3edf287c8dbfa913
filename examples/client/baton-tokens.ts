/**
 * Baton for any HTTP library: the access token in memory, and one refresh at a time however many
 * requests find it expired. The refresh token is an HttpOnly cookie the page never sees; the
 * browser sends it because the auth calls say `credentials: "include"`.
 */
export interface BatonTokens {
  /** The access token to send, or `null` when nobody is signed in. */
  readonly accessToken: string | null;
  login(email: string, password: string): Promise<void>;
  /** On page load: the session from the refresh cookie, if there is one. */
  restore(): Promise<string | null>;
  /**
   * A new access token after the server refused `rejected`. Requests that failed together share
   * one `POST /refresh`; a request whose token was already replaced gets the new one at once.
   */
  renew(rejected: string | null): Promise<string>;
}

/** Thrown by Baton's auth routes; `code` is the error code of docs/api.md. */
export class BatonError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`${status} ${code}`);
  }
}

/** Whether an answer means "refresh and try once more": Baton's only two such 401 codes. */
export function isRenewable(status: number | undefined, body: unknown): boolean {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return status === 401 && (code === "TOKEN_EXPIRED" || code === "SESSION_REVOKED");
}

export function createBatonTokens(authUrl: string): BatonTokens {
  let accessToken: string | null = null;
  let refreshing: Promise<string> | null = null;

  async function post(path: string, body: object): Promise<string> {
    const response = await fetch(`${authUrl}${path}`, {
      method: "POST",
      credentials: "include", // sends and receives the refresh cookie
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => null)) as {
      accessToken?: string;
      error?: { code?: string };
    } | null;
    if (!response.ok || !answer?.accessToken) {
      throw new BatonError(response.status, answer?.error?.code ?? "HTTP_ERROR");
    }
    return answer.accessToken;
  }

  function refreshOnce(): Promise<string> {
    refreshing ??= post("/refresh", {})
      .then((token) => (accessToken = token))
      .catch((error: unknown) => {
        // A 401 from /refresh ends the session; a network error or a 5xx does not.
        if (error instanceof BatonError && error.status === 401) accessToken = null;
        throw error;
      })
      .finally(() => (refreshing = null));
    return refreshing;
  }

  return {
    get accessToken() {
      return accessToken;
    },
    async login(email, password) {
      accessToken = await post("/login", { email, password });
    },
    async restore() {
      // Without Baton's session hint cookie there is no session: skip the request (and its 401).
      if (typeof document !== "undefined" && !document.cookie.includes("baton_session=1")) {
        return null;
      }
      return refreshOnce().catch(() => null);
    },
    renew(rejected) {
      if (accessToken !== null && accessToken !== rejected) return Promise.resolve(accessToken);
      return refreshOnce();
    },
  };
}

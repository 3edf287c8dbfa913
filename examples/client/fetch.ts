import { isRenewable, type BatonTokens } from "./baton-tokens.js";

/**
 * `fetch` that sends the access token and, when Baton answers 401 TOKEN_EXPIRED (or
 * SESSION_REVOKED), refreshes once for all waiting requests and retries this one once.
 * Pass a URL and an init, not a `Request` with a streamed body: the retry sends the init again.
 */
export function createApiFetch(tokens: BatonTokens) {
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const send = (token: string | null) => {
      const headers = new Headers(init.headers);
      if (token) headers.set("Authorization", `Bearer ${token}`);
      return fetch(url, { ...init, headers });
    };
    const sent = tokens.accessToken;
    const response = await send(sent);
    if (
      sent === null ||
      !isRenewable(
        response.status,
        await response
          .clone()
          .json()
          .catch(() => null),
      )
    ) {
      return response;
    }
    return send(await tokens.renew(sent));
  };
}

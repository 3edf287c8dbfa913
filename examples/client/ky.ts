import ky, { type KyInstance } from "ky";
import { isRenewable, type BatonTokens } from "./baton-tokens.js";

/**
 * A ky instance that sends the access token and, when Baton answers 401 TOKEN_EXPIRED (or
 * SESSION_REVOKED), refreshes once for all waiting requests and retries each of them once.
 */
export function createApi(prefixUrl: string, tokens: BatonTokens): KyInstance {
  return ky.create({
    prefixUrl,
    hooks: {
      // Runs again before the retry, with the new token.
      beforeRequest: [
        (request) => {
          if (tokens.accessToken)
            request.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
        },
      ],
      afterResponse: [
        async (request, _options, response, { retryCount }) => {
          if (
            retryCount > 0 ||
            !isRenewable(response.status, await response.json().catch(() => null))
          ) {
            return;
          }
          const sent = String(request.headers.get("Authorization")).replace(/^Bearer /, "");
          await tokens.renew(sent);
          // Counts against ky's `retry.limit` (2 by default): keep it at 1 or more.
          return ky.retry({ delay: 0, code: "TOKEN_RENEWED" });
        },
      ],
    },
  });
}

import { RENEWABLE_CODES, type IssuedToken, type TokenAccess } from "./token-access.js";
import { readErrorCode, type FetchLike } from "./transport.js";

/**
 * Wraps `fetch` so that requests carry `Authorization: Bearer <access token>`, and a `401
 * TOKEN_EXPIRED` (or `SESSION_REVOKED`) is answered by one shared refresh and **one** retry. The
 * retry's answer goes to the caller whatever it is: no request ever loops.
 *
 * Left untouched: requests that already carry an `Authorization` header, requests to origins that
 * must not see the token, and requests made while nobody is signed in. A 401 with any other code
 * (`TOKEN_INVALID`, an app's own 401) is returned as-is.
 */
export function createAuthorizedFetch(access: TokenAccess, fetchImpl: FetchLike): FetchLike {
  return async (input, init) => {
    const isRequest = typeof Request !== "undefined" && input instanceof Request;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const callerHeaders = new Headers(isRequest ? input.headers : undefined);
    new Headers(init?.headers).forEach((value, key) => callerHeaders.set(key, value));
    if (callerHeaders.has("authorization") || !access.attachesTo(url)) {
      return fetchImpl(input, init);
    }

    const token = await access.acquire();
    if (!token) return fetchImpl(input, init);

    // A Request's body can be read once: keep a pristine copy and send clones of it.
    const pristine = isRequest ? new Request(input, init) : undefined;
    const send = (issued: IssuedToken) => {
      if (pristine) {
        const request = pristine.clone();
        request.headers.set("Authorization", `Bearer ${issued.accessToken}`);
        return fetchImpl(request);
      }
      const headers = new Headers(init?.headers);
      headers.set("Authorization", `Bearer ${issued.accessToken}`);
      return fetchImpl(input, { ...init, headers });
    };

    const response = await send(token);
    if (response.status !== 401 || !(pristine || isReplayableBody(init?.body))) return response;
    const code = await readErrorCode(response);
    if (!code || !RENEWABLE_CODES.has(code)) return response;
    const renewed = await access.renew(token);
    // The first answer is discarded; release its connection.
    void response.body?.cancel().catch(() => undefined);
    return send(renewed);
  };
}

/** A stream body is consumed by the first attempt and cannot be sent again. */
function isReplayableBody(body: BodyInit | null | undefined): boolean {
  return !(typeof ReadableStream !== "undefined" && body instanceof ReadableStream);
}

import { AuthError } from "../errors.js";
import { isDevelopmentLoopbackPair } from "./development-origin.js";
import type { HttpRequest } from "./route.js";

/** The content types a cross-site HTML form or a no-preflight fetch can send. */
const SIMPLE_CONTENT_TYPES = new Set([
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/plain",
]);

/**
 * Cross-site request forgery defence for state-changing requests (OWASP CSRF Prevention Cheat
 * Sheet: "verifying origin with standard headers" + "disallowing simple requests"):
 *  - `Sec-Fetch-Site: cross-site` is refused, unless the `Origin` is an allowed one;
 *  - an `Origin` that is neither this server nor an allowed origin is refused (`null` included);
 *  - bodies must be JSON: form and text content types never reach a handler (an empty body is
 *    no form, whatever its content type says).
 * SameSite=Strict on the cookie is the first line; this holds even where SameSite does not.
 * In development (`loopbackDevelopment`), a loopback page calling a loopback Baton also counts as
 * allowed (dev-server proxies, see development-origin.ts); production allows exact origins only.
 */
export function assertNotCrossSite(
  request: HttpRequest,
  allowedOrigins: readonly string[],
  loopbackDevelopment = false,
): void {
  if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return;

  // A request without a body is not a form, whatever it is labelled: axios in Node sends a bare
  // POST /refresh as application/x-www-form-urlencoded with Content-Length 0. There is nothing
  // to interpret, so only the Origin checks below apply to it.
  const mediaType = hasBody(request)
    ? header(request, "content-type")?.split(";")[0]?.trim().toLowerCase()
    : undefined;
  if (mediaType !== undefined && mediaType !== "") {
    if (SIMPLE_CONTENT_TYPES.has(mediaType)) {
      throw new AuthError(
        "CSRF_FAILED",
        "Form and text bodies are not accepted; send application/json",
      );
    }
    if (mediaType !== "application/json" && !mediaType.endsWith("+json")) {
      throw new AuthError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
    }
  } else if (typeof request.body === "string" && request.body.length > 0) {
    throw new AuthError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
  }

  const origin = header(request, "origin");
  // An allowed origin may live on another site (CORS_ORIGINS with SameSite=None): its requests
  // are cross-site by definition, and the Origin check below is what vouches for them.
  const allowed =
    origin !== undefined &&
    (allowedOrigins.includes(origin) ||
      (loopbackDevelopment && isDevelopmentLoopbackPair(origin, request.selfOrigin)));
  if (header(request, "sec-fetch-site") === "cross-site" && !allowed) {
    throw new AuthError("CSRF_FAILED", "Cross-site request refused");
  }
  if (origin === undefined) return;
  if (origin !== request.selfOrigin && !allowed) {
    throw new AuthError("CSRF_FAILED", "Request origin is not allowed");
  }
}

/**
 * Whether the request carries body bytes. Text comes from Baton's own reading; a body a host
 * app's parser already turned into a value (Express 4's `urlencoded()` makes `{}` of nothing) is
 * judged by the framing headers (RFC 9112 §6.3: no Transfer-Encoding and Content-Length 0 or
 * absent means no body).
 */
function hasBody(request: HttpRequest): boolean {
  if (request.body === undefined) return false;
  if (typeof request.body === "string") return request.body.length > 0;
  const length = header(request, "content-length");
  return (
    header(request, "transfer-encoding") !== undefined || (length !== undefined && length !== "0")
  );
}

function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

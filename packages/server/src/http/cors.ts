import type { HttpRequest } from "./route.js";

/**
 * CORS for the allowed origins only, always with credentials and never a wildcard (a wildcard
 * with credentials would hand every site the user's session).
 */
export function corsHeaders(
  request: HttpRequest,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const origin = request.headers.origin;
  if (typeof origin !== "string" || !allowedOrigins.includes(origin)) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "Retry-After, WWW-Authenticate, Date",
    vary: "Origin",
  };
}

/** Answer to a CORS preflight (OPTIONS with Access-Control-Request-Method). */
export function preflightHeaders(
  request: HttpRequest,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const headers = corsHeaders(request, allowedOrigins);
  if (headers["access-control-allow-origin"] === undefined) return { vary: "Origin" };
  return {
    ...headers,
    "access-control-allow-methods": "GET, POST, PUT, DELETE",
    "access-control-allow-headers": "Authorization, Content-Type",
    "access-control-max-age": "600",
  };
}

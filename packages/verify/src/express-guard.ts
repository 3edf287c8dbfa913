import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthInfo, Verifier } from "./create-verifier.js";
import { check, countHeader, single } from "./guard.js";

export type ExpressGuard = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Express/Connect middleware (also plain `node:http`): sets `req.auth` and calls `next()`, or
 * answers Baton's 401/403/503 JSON error itself.
 */
export function expressGuard(verifier: Verifier, roles: readonly string[]): ExpressGuard {
  return function batonVerify(request, response, next) {
    check(
      verifier,
      roles,
      single(request.headers.authorization),
      countHeader(request.rawHeaders, "authorization"),
    ).then((result) => {
      if ("auth" in result) {
        (request as IncomingMessage & { auth?: AuthInfo }).auth = result.auth;
        next();
        return;
      }
      if (response.headersSent) return;
      response.statusCode = result.reply.status;
      for (const [name, value] of Object.entries(result.reply.headers))
        response.setHeader(name, value);
      response.end(JSON.stringify(result.reply.body));
    }, next);
  };
}

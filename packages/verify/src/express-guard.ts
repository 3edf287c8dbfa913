import type { IncomingMessage, ServerResponse } from "node:http";
import { check, type VerifyToken } from "./guard.js";
import {
  countHeader,
  firstHeaderValue,
  type AuthInfo,
  type GuardRequirement,
} from "./kernel/index.js";

export type ExpressGuard = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Express/Connect middleware (also plain `node:http`): sets `req.auth` and calls `next()`, or
 * answers Baton's 401/403/503 JSON error itself.
 */
export function expressGuard(verify: VerifyToken, requirement: GuardRequirement): ExpressGuard {
  return function batonVerify(request, response, next) {
    check(
      verify,
      requirement,
      firstHeaderValue(request.headers.authorization),
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

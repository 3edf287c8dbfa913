import type { IncomingMessage, ServerResponse } from "node:http";
import { countHeader, firstHeaderValue, type GuardRequirement } from "@baton/verify/kernel";
import type { AuthInfo, Core } from "../core.js";
import { checkGuard, type GuardResult } from "../http/guard.js";
import { writeReply } from "./write-reply.js";

export type ExpressGuard = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * `requireAuth()` / `requireRole()` as an Express/Connect middleware (also plain `node:http`):
 * sets `req.auth` and calls `next()`, or answers 401/403 itself.
 */
export function expressGuard(core: Core, requirement: GuardRequirement): ExpressGuard {
  function settle(
    request: IncomingMessage & { auth?: AuthInfo },
    response: ServerResponse,
    next: (error?: unknown) => void,
    result: GuardResult,
  ): void {
    if ("auth" in result) {
      request.auth = result.auth;
      next();
      return;
    }
    writeReply(response, result.reply);
  }
  return function batonGuard(request, response, next) {
    const result = checkGuard(
      core,
      requirement,
      firstHeaderValue(request.headers.authorization),
      countHeader(request.rawHeaders, "authorization"),
    );
    if (!(result instanceof Promise)) return settle(request, response, next, result);
    result.then((settled) => settle(request, response, next, settled)).catch(next);
  };
}

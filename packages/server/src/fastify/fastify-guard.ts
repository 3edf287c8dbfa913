import { countHeader, firstHeaderValue, type GuardRequirement } from "@baton/verify/kernel";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Core } from "../core.js";
import { checkGuard, type GuardResult } from "../http/guard.js";
import { sendReply } from "./send-reply.js";

export type FastifyGuard = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void;

/**
 * `requireAuth()` / `requireRole()` as a Fastify `preHandler`/`onRequest` hook: sets
 * `request.auth` and continues, or answers 401/403 itself.
 */
export function fastifyGuard(core: Core, requirement: GuardRequirement): FastifyGuard {
  function settle(
    request: FastifyRequest,
    reply: FastifyReply,
    done: (error?: Error) => void,
    result: GuardResult,
  ): void {
    if ("auth" in result) {
      request.auth = result.auth;
      done();
      return;
    }
    // Answering from a hook without calling done() ends the request here.
    void sendReply(reply, result.reply);
  }
  return function batonGuard(request, reply, done) {
    const result = checkGuard(
      core,
      requirement,
      firstHeaderValue(request.headers.authorization),
      countHeader(request.raw.rawHeaders, "authorization"),
    );
    if (!(result instanceof Promise)) return settle(request, reply, done, result);
    result.then((settled) => settle(request, reply, done, settled)).catch(done);
  };
}

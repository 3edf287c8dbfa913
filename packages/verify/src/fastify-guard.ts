import { check, type VerifyToken } from "./guard.js";
import {
  countHeader,
  firstHeaderValue,
  type AuthInfo,
  type GuardRequirement,
} from "./kernel/index.js";

/** Fastify's request, as far as the guard needs it (no dependency on fastify). */
export interface FastifyLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  raw?: { rawHeaders?: string[] };
}

/** Fastify's reply, as far as the guard needs it. */
export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  headers(values: Record<string, string>): FastifyLikeReply;
  send(payload?: string): FastifyLikeReply;
}

export type FastifyGuard = (
  request: FastifyLikeRequest,
  reply: FastifyLikeReply,
) => Promise<FastifyLikeReply | undefined>;

/**
 * An async Fastify hook (use as `preHandler` or `onRequest`): sets `request.auth` and continues,
 * or sends Baton's 401/403/503 JSON error and ends the request.
 */
export function fastifyGuard(verify: VerifyToken, requirement: GuardRequirement): FastifyGuard {
  return async function batonVerify(request, reply) {
    const result = await check(
      verify,
      requirement,
      firstHeaderValue(request.headers.authorization),
      countHeader(request.raw?.rawHeaders, "authorization"),
    );
    if ("auth" in result) {
      (request as FastifyLikeRequest & { auth?: AuthInfo }).auth = result.auth;
      return undefined;
    }
    // An async hook that has sent a reply must return it, so Fastify stops here.
    return reply
      .code(result.reply.status)
      .headers(result.reply.headers)
      .send(JSON.stringify(result.reply.body));
  };
}

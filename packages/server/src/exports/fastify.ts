/**
 * `@baton/server/fastify`: Baton's routes as a Fastify plugin, and `request.auth` on Fastify's
 * request type.
 *
 * @example
 * import { createBaton } from "@baton/server";
 * import { batonFastify } from "@baton/server/fastify";
 *
 * const baton = await createBaton();
 * await app.register(batonFastify(baton)); // /api/auth/*, /.well-known/jwks.json, /healthz
 * app.get("/api/notes", { preHandler: baton.requireAuth() }, (request) => request.auth!.userId);
 */
import type { FastifyPluginAsync } from "fastify";
import type { Baton } from "../baton.js";
import { internalsOf } from "../baton-internals.js";
import { createFastifyPlugin } from "../fastify/fastify-plugin.js";

/** The auth routes, JWKS and health check of `baton`, as a Fastify plugin: `app.register(…)`. */
export function batonFastify(baton: Baton): FastifyPluginAsync {
  const { core, routes, pipeline } = internalsOf(baton);
  return createFastifyPlugin(core, routes, pipeline);
}

export type { FastifyGuard } from "../fastify/fastify-guard.js";
// `request.auth` on Fastify's request type.
export type {} from "../fastify/fastify-plugin.js";

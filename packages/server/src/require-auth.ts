import type { GuardRequirement } from "@baton/verify/kernel";
import type { Core } from "./core.js";
import { expressGuard, type ExpressGuard } from "./express/express-guard.js";
import { fastifyGuard, type FastifyGuard } from "./fastify/fastify-guard.js";

/**
 * A route guard that works unchanged as a Fastify `preHandler`/`onRequest` hook and as an
 * Express/Connect middleware: it verifies the Bearer token, optionally checks roles, sets
 * `request.auth = { userId, sessionId, roles, emailVerified }` and continues, or answers 401/403
 * itself.
 *
 * @example
 * fastify.get("/todos", { preHandler: baton.requireAuth() }, handler);
 * expressApp.get("/todos", baton.requireRole("admin"), handler);
 */
export type Guard = FastifyGuard & ExpressGuard;

export function createGuard(core: Core, requirement: GuardRequirement): Guard {
  const forFastify = fastifyGuard(core, requirement);
  const forExpress = expressGuard(core, requirement);
  function guard(...args: Parameters<FastifyGuard> | Parameters<ExpressGuard>): void {
    // A Fastify reply wraps the Node response as `raw`; an Express response is the Node one.
    if ("raw" in args[1]) forFastify(...(args as Parameters<FastifyGuard>));
    else forExpress(...(args as Parameters<ExpressGuard>));
  }
  return guard;
}

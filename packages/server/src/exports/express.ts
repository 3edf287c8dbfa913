/**
 * `@baton/server/express`: Baton's routes as an Express (4 or 5), Connect or `node:http`
 * middleware, and `req.auth` on Express's request type.
 *
 * @example
 * import { createBaton } from "@baton/server";
 * import { batonExpress } from "@baton/server/express";
 *
 * const baton = await createBaton();
 * app.use(batonExpress(baton)); // /api/auth/*, /.well-known/jwks.json, /healthz
 * app.get("/api/notes", baton.requireAuth(), (req, res) => res.json({ owner: req.auth!.userId }));
 */
import type { Baton } from "../baton.js";
import { internalsOf } from "../baton-internals.js";
import { createExpressMiddleware, type NodeMiddleware } from "../express/express-middleware.js";

/** The auth routes, JWKS and health check of `baton`, as a middleware: `app.use(…)`. */
export function batonExpress(baton: Baton): NodeMiddleware {
  const { core, routes, pipeline } = internalsOf(baton);
  return createExpressMiddleware(core, routes, pipeline);
}

export type { NodeMiddleware, NodeRequest, NextFunction } from "../express/express-middleware.js";
export type { ExpressGuard } from "../express/express-guard.js";
// `req.auth` on Express's request type.
export type {} from "../express/express-middleware.js";

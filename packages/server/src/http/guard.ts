import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AuthInfo, Core } from "../core.js";
import { assertRole, authenticateNow } from "../sessions/authenticate.js";
import { errorReply } from "./error-reply.js";
import { countHeader, single } from "./headers.js";
import type { HttpReply } from "./route.js";

/** Fastify's reply, as far as the guard needs it. */
interface FastifyLikeReply {
  raw: ServerResponse;
  code(status: number): FastifyLikeReply;
  headers(values: Record<string, string | string[]>): FastifyLikeReply;
  type(contentType: string): FastifyLikeReply;
  send(body?: string): unknown;
}

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  rawHeaders?: string[];
  raw?: { rawHeaders: string[] };
  auth?: AuthInfo | null;
}

/**
 * A route guard that works unchanged as a Fastify `preHandler`/`onRequest` hook and as an
 * Express/Connect middleware: it verifies the Bearer token, optionally checks roles, sets
 * `request.auth = { userId, sessionId, roles }` and continues, or answers 401/403 itself.
 *
 * @example
 * fastify.get("/todos", { preHandler: baton.requireAuth() }, handler);
 * expressApp.get("/todos", baton.requireRole("admin"), handler);
 */
export type Guard = ((
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void) &
  ((request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void);

export function createGuard(core: Core, roles: readonly string[]): Guard {
  function admit(request: GuardedRequest, auth: AuthInfo, next: (error?: unknown) => void): void {
    if (roles.length > 0) assertRole(auth, roles);
    request.auth = auth;
    next();
  }
  function guard(
    request: GuardedRequest,
    response: FastifyLikeReply | ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    try {
      const rawHeaders = request.raw?.rawHeaders ?? request.rawHeaders ?? [];
      const auth = authenticateNow(
        core,
        single(request.headers.authorization),
        countHeader(rawHeaders, "authorization"),
      );
      // A token seen before is answered synchronously: no promise (or closure) on the hot path.
      if (!(auth instanceof Promise)) return admit(request, auth, next);
      auth
        .then((value) => admit(request, value, next))
        .catch((error: unknown) => respond(response, errorReply(error, core.logger)));
    } catch (error) {
      respond(response, errorReply(error, core.logger));
    }
  }
  return guard as Guard;
}

function respond(response: FastifyLikeReply | ServerResponse, reply: HttpReply): void {
  const body = JSON.stringify(reply.body);
  if ("raw" in response) {
    // Fastify: answering from a hook without calling done() ends the request here.
    void response
      .code(reply.status)
      .headers(reply.headers ?? {})
      .type("application/json; charset=utf-8")
      .send(body);
    return;
  }
  if (response.headersSent) return;
  response.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  response.setHeader("content-type", "application/json; charset=utf-8");
  response.end(body);
}

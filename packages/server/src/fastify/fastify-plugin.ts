import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { AuthInfo, Core } from "../core.js";
import { errorReply } from "../http/error-reply.js";
import { fromFastifyError } from "./fastify-errors.js";
import { sendReply } from "./send-reply.js";
import type { RequestPipeline } from "../http/request-pipeline.js";
import type { HttpRequest, Route } from "../http/route.js";
import { routeUrl } from "../http/routes/all-routes.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by Baton's `requireAuth()` / `requireRole()`; null on unprotected routes. */
    auth: AuthInfo | null;
  }
}

/**
 * Baton's routes as a Fastify plugin. The routes live in their own encapsulated context (their
 * own body parser and error handler, so the host app's stay untouched); only the `request.auth`
 * decoration is shared with the host app.
 */
export function createFastifyPlugin(
  core: Core,
  routes: readonly Route[],
  pipeline: RequestPipeline,
): FastifyPluginAsync {
  return fp(
    async (app: FastifyInstance) => {
      if (!app.hasRequestDecorator("auth")) app.decorateRequest("auth", null);
      await app.register((scope, _options, registered) => {
        // Every body reaches the pipeline as text: it alone decides what is acceptable (CSRF, JSON).
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser(
          "*",
          { parseAs: "string", bodyLimit: core.config.bodyLimit },
          (_request, body, done) => {
            done(null, body);
          },
        );
        scope.setErrorHandler((error, _request, reply) =>
          sendReply(reply, errorReply(fromFastifyError(error, core.config.bodyLimit), core.logger)),
        );
        const preflightUrls = new Set<string>();
        for (const route of routes) {
          for (const path of [route.path, ...(route.aliases ?? [])]) {
            const url = routeUrl(route, path, core.config.basePath);
            scope.route({
              method: route.method,
              url,
              handler: async (request, reply) =>
                sendReply(reply, await pipeline.handle(route, toHttpRequest(request))),
            });
            if (!preflightUrls.has(url)) {
              preflightUrls.add(url);
              scope.options(url, (request, reply) =>
                sendReply(reply, pipeline.preflight(toHttpRequest(request))),
              );
            }
          }
        }
        registered();
      });
    },
    { name: "@baton/server", fastify: "5.x" },
  );
}

export function toHttpRequest(request: FastifyRequest): HttpRequest {
  return {
    method: request.method,
    headers: request.headers,
    rawHeaders: request.raw.rawHeaders,
    body: typeof request.body === "string" ? request.body : undefined,
    params: request.params as Record<string, string>,
    query: request.query as Record<string, unknown>,
    ip: request.ip,
    selfOrigin: `${request.protocol}://${request.host}`,
  };
}

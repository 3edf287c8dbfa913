import type { IncomingMessage, ServerResponse } from "node:http";
import FindMyWay, { type HTTPMethod } from "find-my-way";
import type { AuthInfo as BatonAuthInfo, Core } from "../core.js";
import { AuthError } from "../errors.js";
import { errorReply } from "../http/error-reply.js";
import type { RequestPipeline } from "../http/request-pipeline.js";
import type { HttpRequest, Route } from "../http/route.js";
import { routeUrl } from "../http/routes/all-routes.js";
import { writeReply } from "./write-reply.js";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by Baton's `requireAuth()` / `requireRole()`. */
      // Aliased: inside `namespace Express`, `AuthInfo` would name passport's Express.AuthInfo.
      auth?: BatonAuthInfo;
    }
  }
}

/** What Express (or Connect, or plain Node) hands a middleware. Express's extras are optional. */
export type NodeRequest = IncomingMessage & { body?: unknown; ip?: string; protocol?: string };
export type NextFunction = (error?: unknown) => void;
export type NodeMiddleware = (
  request: NodeRequest,
  response: ServerResponse,
  next: NextFunction,
) => void;

/**
 * Baton's routes as a Connect-style middleware for Express (4 or 5), Connect or `node:http`.
 * Requests for other paths pass through to `next()`. Mount it at the root: the base path is
 * part of each route.
 */
export function createExpressMiddleware(
  core: Core,
  routes: readonly Route[],
  pipeline: RequestPipeline,
): NodeMiddleware {
  const router = FindMyWay({ ignoreTrailingSlash: false, maxParamLength: 200 });
  const noop = () => undefined;
  for (const route of routes) {
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      const url = routeUrl(route, path, core.config.basePath);
      router.on(route.method, url, noop, { route });
      if (!router.hasRoute("OPTIONS", url)) router.on("OPTIONS", url, noop, { route: null });
    }
  }

  return function batonMiddleware(request, response, next) {
    const [pathname = "/", search = ""] = (request.url ?? "/").split("?", 2);
    const found = router.find(request.method as HTTPMethod, pathname);
    if (found === null) {
      next();
      return;
    }
    const route = (found.store as { route: Route | null }).route;
    readBody(request, core.config.bodyLimit)
      .then(async (body) => {
        const httpRequest: HttpRequest = {
          method: request.method ?? "GET",
          headers: request.headers,
          rawHeaders: request.rawHeaders,
          body,
          params: found.params as Record<string, string>,
          query: Object.fromEntries(new URLSearchParams(search)),
          ip: request.ip ?? request.socket.remoteAddress ?? "",
          selfOrigin: `${request.protocol ?? ("encrypted" in request.socket ? "https" : "http")}://${request.headers.host ?? ""}`,
        };
        writeReply(
          response,
          route === null
            ? pipeline.preflight(httpRequest)
            : await pipeline.handle(route, httpRequest),
        );
      })
      .catch((error: unknown) => writeReply(response, errorReply(error, core.logger)));
  };
}

/** The body as text, or what a body parser that ran earlier (express.json) produced. */
async function readBody(request: NodeRequest, limit: number): Promise<HttpRequest["body"]> {
  if (request.body !== undefined) {
    if (typeof request.body === "string") return request.body;
    if (Buffer.isBuffer(request.body)) return request.body.toString("utf8");
    return { parsed: request.body };
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    request.on("data", (chunk: Buffer) => {
      if (settled) return; // past the limit: keep draining so the 413 reaches the client
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      settled = true;
      chunks.length = 0;
      reject(new AuthError("PAYLOAD_TOO_LARGE", `Body larger than ${limit} bytes`));
    });
    request.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(size === 0 ? undefined : Buffer.concat(chunks).toString("utf8"));
    });
    request.on("error", (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

import { SESSION_ENDING_CODES, SESSION_HINT_COOKIE } from "@baton/protocol";
import { countHeader, firstHeaderValue } from "@baton/verify/kernel";
import type { RequestMeta } from "../audit/audit-log.js";
import type { AuthInfo, Core } from "../core.js";
import { AuthError } from "../errors.js";
import { canonicalAddress } from "../rate-limit/client-address.js";
import { assertRole, authenticate } from "../sessions/authenticate.js";
import { corsHeaders, preflightHeaders } from "./cors.js";
import { assertNotCrossSite } from "./csrf.js";
import { errorReply } from "./error-reply.js";
import { parseJsonBody } from "./json-body.js";
import { RequestBudgets } from "./request-budgets.js";
import { clearedRefreshCookies, parseCookies } from "./refresh-cookie.js";
import type { HttpReply, HttpRequest, Route } from "./route.js";
import { compileValidator, type Validator } from "./validation.js";

export interface RequestPipeline {
  /**
   * Runs one request through rate limit → CSRF → parse → validate → auth → session budget →
   * handler → reply (request-budgets.ts says which budget a request spends).
   */
  handle(route: Route, request: HttpRequest): Promise<HttpReply>;
  /** Answers a CORS preflight. */
  preflight(request: HttpRequest): HttpReply;
}

/**
 * Everything every endpoint needs, in one place and one order, shared by the Fastify and Express
 * adapters so both behave identically.
 */
export function createRequestPipeline(core: Core, routes: readonly Route[]): RequestPipeline {
  const validators = new Map<Route, { body?: Validator; params?: Validator; query?: Validator }>();
  for (const route of routes) {
    validators.set(route, {
      body: route.body && compileValidator(route.body, "body"),
      params: route.params && compileValidator(route.params, "params"),
      query: route.query && compileValidator(route.query, "query"),
    });
  }
  const { config, logger } = core;

  const budgets = new RequestBudgets(core);

  async function run(
    route: Route,
    request: HttpRequest,
    cookies: Record<string, string>,
  ): Promise<HttpReply> {
    const admission = await budgets.admit(route, request);
    let auth: AuthInfo | null = null;
    try {
      const body = checkedBody(route, request);
      if (route.auth !== "none") {
        auth = await authenticate(
          core,
          firstHeaderValue(request.headers.authorization),
          countHeader(request.rawHeaders, "authorization"),
        );
        await budgets.admitSession(route, auth);
        if (typeof route.auth === "object") assertRole(auth, [route.auth.role]);
      }
      let meta: RequestMeta | undefined;
      const reply = await route.handle({
        core,
        body: body ?? {},
        params: request.params,
        query: request.query,
        cookies,
        headers: request.headers,
        // Worked out on first use: most authenticated reads (/me) never record the client, and
        // the address's canonical form costs a parse.
        get meta() {
          return (meta ??= requestMeta(request));
        },
        auth,
        rawHeaders: request.rawHeaders,
      });
      if (reply.status < 400) await admission.succeeded();
      return reply;
    } catch (error) {
      // Counted against the address only while no caller is established: what a signed-in
      // caller does wrong is its session's business.
      if (auth === null) await admission.refused();
      throw error;
    }
  }

  /** CSRF, then the body parsed and params, query and body validated against the route's schemas. */
  function checkedBody(route: Route, request: HttpRequest): unknown {
    assertNotCrossSite(request, config.corsOrigins, !config.production);
    const body =
      typeof request.body === "object" ? request.body.parsed : parseJsonBody(request.body);
    const check = validators.get(route) ?? {};
    check.params?.(request.params);
    if (check.query) check.query(request.query);
    else if (Object.keys(request.query).length > 0) {
      // Nothing travels in a URL here, least of all a token (RFC 9700 §2.3.2 / RFC 6750 §2.3).
      throw new AuthError("VALIDATION_FAILED", "This endpoint takes no query parameters");
    }
    if (check.body) check.body(body ?? {});
    else if (body !== undefined && !isEmptyObject(body))
      throw new AuthError("VALIDATION_FAILED", "This endpoint takes no body");
    return body;
  }

  return {
    async handle(route, request) {
      const started = process.hrtime.bigint();
      const cookies = parseCookies(request.headers.cookie);
      let reply: HttpReply;
      try {
        reply = await run(route, request, cookies);
      } catch (error) {
        reply = errorReply(error, logger);
        // A refresh cookie the server just refused is dead: tell the browser to drop it, and
        // its session hint. A hint without a refresh cookie (REFRESH_MISSING) is dropped too, or
        // every page load would ask again.
        const refused = error instanceof AuthError && SESSION_ENDING_CODES.has(error.code);
        if (
          refused &&
          route.consumesRefreshCookie === true &&
          (cookies[config.cookieName] !== undefined || cookies[SESSION_HINT_COOKIE] !== undefined)
        ) {
          reply.headers = { ...reply.headers, "set-cookie": clearedRefreshCookies(config) };
        }
      }
      reply.headers = {
        "cache-control": "no-store",
        ...reply.headers,
        ...corsHeaders(request, config.corsOrigins),
      };
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      core.metrics.request(route.method, route.path, reply.status, seconds);
      return reply;
    },
    preflight(request) {
      return { status: 204, headers: preflightHeaders(request, config.corsOrigins) };
    },
  };
}

/**
 * Client facts kept with a session and in the audit log: bounded, without control characters,
 * and the address in its one canonical spelling.
 */
export function requestMeta(request: Pick<HttpRequest, "ip" | "headers">): RequestMeta {
  const agent = firstHeaderValue(request.headers["user-agent"]);
  return {
    ip: canonicalAddress(request.ip),
    userAgent: agent === undefined ? null : agent.replace(/\p{Cc}/gu, "").slice(0, 256) || null,
  };
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}

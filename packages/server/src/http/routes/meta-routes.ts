import { Type } from "@sinclair/typebox";
import { AuthError } from "../../errors.js";
import { ErrorBodySchema } from "../schemas.js";
import { buildOpenApi, type OpenApiDocument } from "../openapi.js";
import { defineRoute, type Route } from "../route.js";

export const jwksRoute = defineRoute({
  method: "GET",
  path: "/.well-known/jwks.json",
  scope: "root",
  operationId: "getJwks",
  summary: "Public keys that verify Baton access tokens (RFC 7517); empty with HS256",
  auth: "none",
  rateLimited: false,
  responses: {
    200: {
      description: "JSON Web Key Set",
      schema: Type.Object(
        { keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) },
        { title: "JsonWebKeySet" },
      ),
    },
  },
  handle({ core }) {
    const { accessTokens, clock } = core;
    return {
      status: 200,
      body: accessTokens.keyRing.jwks(clock.now(), accessTokens.verifyForMs),
      headers: { "cache-control": "public, max-age=300" },
    };
  },
});

export const healthRoute = defineRoute({
  method: "GET",
  path: "/healthz",
  scope: "root",
  operationId: "getHealth",
  summary: "200 when the store answers, 503 otherwise",
  auth: "none",
  rateLimited: false,
  responses: {
    200: {
      description: "Healthy",
      schema: Type.Object({ status: Type.Literal("ok") }, { title: "Health" }),
    },
    503: { description: "UNAVAILABLE", schema: ErrorBodySchema },
  },
  async handle({ core }) {
    await core.store.ping();
    return { status: 200, body: { status: "ok" as const } };
  },
});

/** The OpenAPI document for `routes` (built on first request, then kept). */
export function openApiRoute(routes: () => readonly Route[]): Route {
  let document: OpenApiDocument | undefined;
  return defineRoute({
    method: "GET",
    path: "/openapi.json",
    scope: "auth",
    operationId: "getOpenApi",
    summary: "This API as an OpenAPI 3.1 document",
    auth: "none",
    rateLimited: false,
    responses: {
      200: {
        description: "OpenAPI document",
        schema: Type.Object({ openapi: Type.String() }, { description: "An OpenAPI document" }),
      },
    },
    handle({ core }) {
      document ??= buildOpenApi(routes(), core.config);
      return { status: 200, body: document, headers: { "cache-control": "public, max-age=60" } };
    },
  });
}

export const metricsRoute = defineRoute({
  method: "GET",
  path: "/metrics",
  scope: "root",
  operationId: "getMetrics",
  summary:
    "Prometheus metrics (logins, refreshes, grace hits, reuse detections, revocations, rate limits, latency)",
  auth: "none",
  rateLimited: false,
  responses: { 200: { description: "Prometheus text exposition format" } },
  async handle({ core }) {
    if (!core.config.metrics) throw new AuthError("NOT_FOUND", "Metrics are disabled");
    return {
      status: 200,
      text: await core.metrics.text(),
      headers: { "content-type": core.metrics.contentType },
    };
  },
});

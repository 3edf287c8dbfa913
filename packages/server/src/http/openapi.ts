import type { TSchema } from "@sinclair/typebox";
import type { BatonConfig } from "../config/options.js";
import type { Route } from "./route.js";
import { ErrorBodySchema } from "./schemas.js";

/** OpenAPI 3.1 document generated from the route table and its JSON Schemas. */
export function buildOpenApi(
  routes: readonly Route[],
  config: BatonConfig,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      const full = (route.scope === "auth" ? config.basePath + path : path).replace(
        /:(\w+)/g,
        "{$1}",
      );
      const operation: Record<string, unknown> = {
        summary: route.summary + (path === route.path ? "" : ` (alias of ${route.path})`),
        operationId: operationId(route.method, path),
        responses: Object.fromEntries(
          Object.entries({
            ...route.responses,
            default: { description: "Error", schema: ErrorBodySchema },
          }).map(([status, response]) => [
            status,
            response.schema
              ? {
                  description: response.description,
                  content: { "application/json": { schema: plain(response.schema) } },
                }
              : { description: response.description },
          ]),
        ),
      };
      if (route.auth !== "none") operation.security = [{ bearer: [] }];
      const parameters = [
        ...parametersOf(route.params, "path"),
        ...parametersOf(route.query, "query"),
      ];
      if (parameters.length > 0) operation.parameters = parameters;
      if (route.body) {
        operation.requestBody = {
          required: route.path !== "/refresh" && route.path !== "/logout",
          content: { "application/json": { schema: plain(route.body) } },
        };
      }
      (paths[full] ??= {})[route.method.toLowerCase()] = operation;
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Baton auth API",
      version: "0.1.0",
      description:
        "Short-lived JWT access tokens, rotating refresh tokens, sessions. See docs/api.md.",
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT (RFC 9068, typ at+jwt)" },
        refreshCookie: { type: "apiKey", in: "cookie", name: config.cookieName },
      },
    },
  };
}

function parametersOf(schema: TSchema | undefined, location: "path" | "query"): unknown[] {
  if (!schema) return [];
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    schema: plain(property),
  }));
}

/** TypeBox schemas carry symbol keys; a JSON round trip leaves plain JSON Schema. */
function plain(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema)) as unknown;
}

function operationId(method: string, path: string): string {
  return (
    method.toLowerCase() +
    path.replace(/[/:-](\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, "")
  );
}

import type { TSchema } from "@sinclair/typebox";
import type { BatonConfig } from "../config/options.js";
import type { Route } from "./route.js";
import { ErrorBodySchema } from "./schemas.js";

type JsonSchema = Record<string, unknown>;

/** The parts of the document that Baton fills in. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: Record<string, unknown>;
  servers: { url: string; description: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}

/**
 * OpenAPI 3.1 document generated from the route table and its JSON Schemas. Titled schemas are
 * listed once in `components.schemas` and referred to, so that generated clients get named types
 * (`User`, `TokenResponse`, `Error`, ...).
 */
export function buildOpenApi(routes: readonly Route[], config: BatonConfig): OpenApiDocument {
  const schemas = new ComponentSchemas();
  const paths: OpenApiDocument["paths"] = {};
  for (const route of routes) {
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      const full = (route.scope === "auth" ? config.basePath + path : path).replace(
        /:(\w+)/g,
        "{$1}",
      );
      const alias = path !== route.path;
      const operation: Record<string, unknown> = {
        operationId: alias ? `${route.operationId}Via${pascalCase(path)}` : route.operationId,
        summary: route.summary + (alias ? ` (alias of ${route.path})` : ""),
        security: securityOf(route),
        responses: Object.fromEntries(
          Object.entries({
            ...pipelineResponses(route),
            ...route.responses,
            default: { description: "Error", schema: ErrorBodySchema },
          }).map(([status, response]) => [
            status,
            response.schema
              ? {
                  description: response.description,
                  content: { "application/json": { schema: schemas.use(response.schema) } },
                }
              : { description: response.description },
          ]),
        ),
      };
      const parameters = [
        ...parametersOf(route.params, "path"),
        ...parametersOf(route.query, "query"),
      ];
      if (parameters.length > 0) operation.parameters = parameters;
      if (route.body) {
        operation.requestBody = {
          // The pipeline reads a missing body as `{}`: only a schema that requires fields needs one.
          required: ((route.body as { required?: string[] }).required ?? []).length > 0,
          content: { "application/json": { schema: schemas.use(route.body) } },
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
      license: { name: "MIT", identifier: "MIT" },
    },
    // Relative: resolved against the address this document was fetched from (OpenAPI 3.1 §4.8.5),
    // so it is right behind any host name or proxy. The paths carry the base path.
    servers: [{ url: "/", description: "The server that serves this document" }],
    paths,
    components: {
      schemas: schemas.named,
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT (RFC 9068, typ at+jwt)" },
        refreshCookie: {
          type: "apiKey",
          in: "cookie",
          name: config.cookieName,
          description: "The HttpOnly refresh cookie that sign-up, login and refresh set.",
        },
      },
    },
  };
}

/**
 * Who may call: nobody in particular (`[]`), a Bearer token (with the role as its scope, as
 * OpenAPI 3.1 allows for non-OAuth schemes), or, for routes that read credentials themselves,
 * any of them or none (`{}`).
 */
function securityOf(route: Route): Record<string, string[]>[] {
  if (route.auth === "bearer") return [{ bearer: [] }];
  if (typeof route.auth === "object") return [{ bearer: [route.auth.role] }];
  const optional = route.optionalCredentials ?? [];
  return optional.length === 0 ? [] : [...optional.map((scheme) => ({ [scheme]: [] })), {}];
}

type Responses = Route["responses"];

/**
 * The answers http/request-pipeline.ts gives before a handler runs, derived from what it reads on
 * the route (a route's own entry for the same status says more and wins).
 */
function pipelineResponses(route: Route): Responses {
  const error = ErrorBodySchema;
  const responses: Responses = {
    400: { description: "VALIDATION_FAILED: input the route's schemas refuse", schema: error },
  };
  if (route.auth !== "none") {
    responses[401] = {
      description:
        "TOKEN_MISSING, TOKEN_EXPIRED, TOKEN_INVALID or SESSION_REVOKED: no valid access token",
      schema: error,
    };
  }
  const forbidden: string[] = [];
  if (typeof route.auth === "object")
    forbidden.push(`FORBIDDEN: the caller lacks the "${route.auth.role}" role`);
  if (route.method !== "GET") forbidden.push("CSRF_FAILED: a cross-site request or a form body");
  if (forbidden.length > 0) responses[403] = { description: forbidden.join("; "), schema: error };
  if (route.rateLimited) {
    responses[429] = {
      description:
        route.auth === "none"
          ? "RATE_LIMITED: this address's AUTH_RATE_LIMIT (refused requests) is spent; see Retry-After"
          : "RATE_LIMITED: this session's SESSION_RATE_LIMIT is spent (or, for a refused caller, this address's AUTH_RATE_LIMIT); see Retry-After",
      schema: error,
    };
  }
  return responses;
}

function parametersOf(schema: TSchema | undefined, location: "path" | "query"): unknown[] {
  if (!schema) return [];
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || required.has(name),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: plain(property),
  }));
}

/** JSON Schema keywords whose values are schemas, maps of schemas, or lists of schemas. */
const SUBSCHEMA = ["items", "additionalProperties", "not"];
const SUBSCHEMA_MAPS = ["properties", "patternProperties"];
const SUBSCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"];

/** Collects titled schemas as named components and answers `$ref`s to them. */
class ComponentSchemas {
  readonly named: Record<string, JsonSchema> = {};
  private readonly texts = new Map<string, string>();

  use(schema: TSchema): JsonSchema {
    return this.hoist(plain(schema));
  }

  private hoist(schema: JsonSchema): JsonSchema {
    const result: JsonSchema = { ...schema };
    for (const keyword of SUBSCHEMA) {
      const value = result[keyword];
      if (isObject(value)) result[keyword] = this.hoist(value);
    }
    for (const keyword of SUBSCHEMA_MAPS) {
      const value = result[keyword];
      if (isObject(value)) {
        result[keyword] = Object.fromEntries(
          Object.entries(value).map(([key, entry]) => [key, this.hoist(entry as JsonSchema)]),
        );
      }
    }
    for (const keyword of SUBSCHEMA_LISTS) {
      const value = result[keyword];
      if (Array.isArray(value))
        result[keyword] = value.map((entry) => this.hoist(entry as JsonSchema));
    }
    const { title: name, ...definition } = result;
    if (typeof name !== "string") return result;
    const text = JSON.stringify(definition);
    const known = this.texts.get(name);
    if (known !== undefined && known !== text)
      throw new Error(`Two different schemas are titled "${name}": give each its own title`);
    this.texts.set(name, text);
    this.named[name] = definition;
    return { $ref: `#/components/schemas/${name}` };
  }
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** TypeBox schemas carry symbol keys; a JSON round trip leaves plain JSON Schema. */
function plain(schema: TSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** `/refresh-token` → `RefreshToken` */
function pascalCase(path: string): string {
  return path.replace(/(?:^|[/:.-])(\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, "");
}

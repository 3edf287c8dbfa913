import type { Static, TSchema } from "@sinclair/typebox";
import type { RequestMeta } from "../audit/audit-log.js";
import type { AuthInfo, Core } from "../core.js";

/** A request as every adapter (Fastify, Express, plain Node) hands it to Baton. */
export interface HttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw header list, to notice duplicated headers that Node folds or drops. */
  rawHeaders: readonly string[];
  /** Unparsed body text, or a value the host app already parsed as JSON. */
  body: string | { parsed: unknown } | undefined;
  params: Record<string, string>;
  query: Record<string, unknown>;
  ip: string;
  /** `https://auth.example.com`: this server's own origin as the client addressed it. */
  selfOrigin: string;
}

export interface HttpReply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with its own content-type header (e.g. Prometheus text). */
  text?: string;
  headers?: Record<string, string | string[]>;
}

export type RouteAuth = "none" | "bearer" | { role: string };

/** The caller a route's `auth` guarantees: present unless the route is public. */
export type CallerOf<Auth extends RouteAuth> = Auth extends "none" ? null : AuthInfo;

/** A request part typed by its schema; a route without one gets nothing to read there. */
export type InputOf<Schema extends TSchema | undefined> = Schema extends TSchema
  ? Static<Schema>
  : Record<never, never>;

/** Documented answers by status; `schema` is the JSON body's. */
export type ResponseTable = Record<number, { description: string; schema?: TSchema }>;

/** A reply a route may give: one of its documented statuses, with that status's body type. */
export type ReplyOf<Responses extends ResponseTable> = {
  [Status in keyof Responses]: Responses[Status] extends { schema: infer Schema extends TSchema }
    ? { status: StatusOf<Status>; body: Static<Schema>; headers?: HttpReply["headers"] }
    : { status: StatusOf<Status>; body?: undefined; text?: string; headers?: HttpReply["headers"] };
}[keyof Responses];

// A conditional type, not `keyof Responses & number`: while TypeScript infers a route's types, a
// handler's `status: 200` then stays the literal 200 instead of widening to `number`.
type StatusOf<Key> = Key extends number ? Key : never;

/** What the pipeline hands every handler, before the route's schemas give it types. */
export interface HandlerInput {
  core: Core;
  body: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
  cookies: Record<string, string>;
  headers: HttpRequest["headers"];
  meta: RequestMeta;
  auth: AuthInfo | null;
  rawHeaders: readonly string[];
}

/** What a route handler receives: input typed by the route's schemas, and the caller. */
export interface RouteContext<
  Auth extends RouteAuth = RouteAuth,
  Body extends TSchema | undefined = undefined,
  Params extends TSchema | undefined = undefined,
  Query extends TSchema | undefined = undefined,
> extends Omit<HandlerInput, "body" | "params" | "query" | "auth"> {
  body: InputOf<Body>;
  params: InputOf<Params>;
  query: InputOf<Query>;
  auth: CallerOf<Auth>;
}

/** Everything about an endpoint except its handler: what the pipeline, adapters and docs read. */
interface RouteDescription<
  Auth extends RouteAuth,
  Body extends TSchema | undefined,
  Params extends TSchema | undefined,
  Query extends TSchema | undefined,
  Responses extends ResponseTable,
> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Relative to the base path (`scope: "auth"`) or to the server root (`scope: "root"`). */
  path: string;
  aliases?: string[];
  scope: "auth" | "root";
  /** Names the operation in the OpenAPI document (and in clients generated from it). */
  operationId: string;
  summary: string;
  auth: Auth;
  /**
   * Credentials the handler reads itself when present (the pipeline requires none of them):
   * documented in OpenAPI as alternatives to sending none.
   */
  optionalCredentials?: readonly ("refreshCookie" | "bearer")[];
  /** Reads the refresh cookie: a session-ending answer then also clears the cookie. */
  consumesRefreshCookie?: boolean;
  /**
   * Rate limited (http/request-budgets.ts): a signed-in caller against its session's
   * SESSION_RATE_LIMIT, refused requests against the address's AUTH_RATE_LIMIT.
   */
  rateLimited: boolean;
  /**
   * Takes a password (http/request-budgets.ts): the address's AUTH_RATE_LIMIT is checked before
   * any work, as every attempt costs a hash. `sign-in` gives the unit back on success; `sign-up`
   * keeps it (every success creates an account).
   */
  passwordEntry?: "sign-in" | "sign-up";
  body?: Body;
  params?: Params;
  query?: Query;
  /** The route's own answers; the pipeline's (validation, auth, CSRF, rate limit) are implied. */
  responses: Responses;
}

/**
 * One endpoint, independent of any framework: adapters mount `handle` and the shared pipeline
 * (http/request-pipeline.ts) runs rate limiting, CSRF, validation and auth around it. Made by
 * {@link defineRoute}, which types the handler from the schemas.
 */
export interface Route extends RouteDescription<
  RouteAuth,
  TSchema | undefined,
  TSchema | undefined,
  TSchema | undefined,
  ResponseTable
> {
  handle(input: HandlerInput): Promise<HttpReply>;
}

/** A route as written: its handler's input and reply types follow from its schemas and auth. */
export interface RouteDefinition<
  Auth extends RouteAuth,
  Body extends TSchema | undefined,
  Params extends TSchema | undefined,
  Query extends TSchema | undefined,
  Responses extends ResponseTable,
> extends RouteDescription<Auth, Body, Params, Query, Responses> {
  handle(
    context: RouteContext<Auth, Body, Params, Query>,
  ): NoInfer<ReplyOf<Responses>> | Promise<NoInfer<ReplyOf<Responses>>>;
}

/**
 * Declares an endpoint whose handler is typed from its own schemas (as Fastify's type providers
 * and Hono's `validator()` do): `body`, `params` and `query` are the static types of the schemas
 * the pipeline validates them with, `auth` is `AuthInfo` on Bearer and role routes and `null` on
 * public ones, and every reply must be a documented status with that status's body. A handler
 * that reads a field its schema lacks, or answers what its responses do not document, does not
 * compile.
 */
export function defineRoute<
  Auth extends RouteAuth,
  Responses extends ResponseTable,
  Body extends TSchema | undefined = undefined,
  Params extends TSchema | undefined = undefined,
  Query extends TSchema | undefined = undefined,
>(definition: RouteDefinition<Auth, Body, Params, Query, Responses>): Route {
  return {
    ...definition,
    // The one place the types are taken on trust: the pipeline calls `handle` only after it
    // validated body, params and query against these very schemas and, unless `auth` is "none",
    // authenticated the caller (http/request-pipeline.ts).
    handle: async (input) => definition.handle(input as RouteContext<Auth, Body, Params, Query>),
  };
}

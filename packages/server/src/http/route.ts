import type { TSchema } from "@sinclair/typebox";
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

/** What a route handler receives: validated input and the caller, if the route needs one. */
export interface RouteContext<
  Body = unknown,
  Params = Record<string, string>,
  Query = Record<string, unknown>,
> {
  core: Core;
  body: Body;
  params: Params;
  query: Query;
  cookies: Record<string, string>;
  headers: HttpRequest["headers"];
  meta: RequestMeta;
  auth: AuthInfo | null;
  rawHeaders: readonly string[];
}

export type RouteAuth = "none" | "bearer" | { role: string };

/**
 * One endpoint, independent of any framework: adapters mount `handle` and the shared pipeline
 * (http/request-pipeline.ts) runs rate limiting, CSRF, validation and auth around it.
 */
export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Relative to the base path (`scope: "auth"`) or to the server root (`scope: "root"`). */
  path: string;
  aliases?: string[];
  scope: "auth" | "root";
  summary: string;
  auth: RouteAuth;
  /** Reads the refresh cookie: a session-ending answer then also clears the cookie. */
  consumesRefreshCookie?: boolean;
  /** Counted against AUTH_RATE_LIMIT. */
  rateLimited: boolean;
  body?: TSchema;
  params?: TSchema;
  query?: TSchema;
  responses: Record<number, { description: string; schema?: TSchema }>;
  // Handlers declare the exact shapes their schemas guarantee.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handle(context: RouteContext<any, any, any>): Promise<HttpReply>;
}

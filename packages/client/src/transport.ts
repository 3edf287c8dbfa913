import { isErrorCode, type ErrorCode } from "@baton/protocol";
import { parseRetryAfter } from "./backoff.js";
import type { Clock } from "./clock.js";
import { HttpError, NetworkError } from "./errors.js";

/**
 * The `fetch` signature the client needs. Inject your own to add headers, count requests, or run
 * on a platform without a global `fetch`.
 *
 * @example
 * ```ts
 * const countingFetch: FetchLike = (input, init) => {
 *   requests++;
 *   return fetch(input, init);
 * };
 * createAuthClient({ baseUrl: "/api/auth", fetch: countingFetch });
 * ```
 */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** A successful auth-API answer with the timing the client needs for skew estimation. */
export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  /** Local clock just before sending. */
  sentAt: number;
  /** Local clock when the body had been read. */
  receivedAt: number;
}

/** Options of one auth-API request. */
export interface RequestOptions {
  body?: unknown;
  /** Sent as `Authorization: Bearer …`. */
  accessToken?: string;
  /** Send and accept the refresh cookie (`credentials: "include"`). */
  withCookie?: boolean;
  /** Overrides the transport's time-out for this request. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * JSON requests to the auth API, with a time-out on the whole exchange and errors mapped to
 * {@link HttpError} / {@link NetworkError}. No retries here: policy lives with the caller.
 */
export interface Transport {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
}

/** Creates a {@link Transport}. */
export function createTransport(options: {
  baseUrl: string;
  fetch: FetchLike;
  clock: Clock;
  timeoutMs: number;
}): Transport {
  const { fetch, clock, timeoutMs } = options;
  const base = options.baseUrl.replace(/\/+$/, "");

  return {
    async request<T>(method: string, path: string, request: RequestOptions = {}) {
      const headers: Record<string, string> = { Accept: "application/json" };
      // Cookie-authenticated endpoints reject form/text bodies as CSRF (a form cannot send JSON),
      // so every body is JSON with its content type, and a body-less request sends no type at all.
      if (request.body !== undefined) headers["Content-Type"] = "application/json";
      if (request.accessToken) headers.Authorization = `Bearer ${request.accessToken}`;
      const deadline = createDeadline(clock, request.timeoutMs ?? timeoutMs, request.signal);
      const sentAt = clock.now();
      try {
        const response = await fetch(base + path, {
          method,
          headers,
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          ...(request.withCookie ? { credentials: "include" as const } : {}),
          cache: "no-store",
          signal: deadline.signal,
        });
        const text = await response.text();
        const receivedAt = clock.now();
        if (!response.ok) throw errorFromBody(response, text, clock.now());
        return {
          status: response.status,
          headers: response.headers,
          body: (text === "" ? undefined : parseJson(text, response.status)) as T,
          sentAt,
          receivedAt,
        };
      } catch (error) {
        throw deadline.translate(error);
      } finally {
        deadline.dispose();
      }
    },
  };
}

/**
 * Reads the Baton error code from an error response without consuming it (the caller still gets
 * the body). `undefined` when the body is not a Baton error.
 */
export async function readErrorCode(response: Response): Promise<ErrorCode | undefined> {
  if (!(response.headers.get("content-type") ?? "").includes("json")) return undefined;
  try {
    return errorCodeOf(await response.clone().json());
  } catch {
    return undefined;
  }
}

/**
 * The server's `Date` header as whole seconds, for clock-skew samples. Cross-origin responses
 * only expose it when the server lists it in `Access-Control-Expose-Headers`.
 */
export function serverDateSeconds(headers: Headers): number | undefined {
  const value = headers.get("date");
  const ms = value ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** The Baton error code in a parsed error body (`{ "error": { "code": … } }`), if there is one. */
export function errorCodeOf(body: unknown): ErrorCode | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return isErrorCode(code) ? code : undefined;
}

function errorFromBody(response: Response, text: string, now: number): HttpError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const code = errorCodeOf(body);
  const message =
    code && typeof (body as { error: { message?: unknown } }).error.message === "string"
      ? (body as { error: { message: string } }).error.message
      : `HTTP ${response.status}`;
  const reason = code ? (body as { error: { reason?: unknown } }).error.reason : undefined;
  return new HttpError(
    response.status,
    code ?? "HTTP_ERROR",
    message,
    parseRetryAfter(response.headers.get("retry-after"), now),
    typeof reason === "string" ? reason : undefined,
  );
}

function parseJson(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A 200 HTML page usually means `baseUrl` points at an SPA fallback route, not at Baton.
    throw new HttpError(status, "HTTP_ERROR", `Expected JSON from the auth API (HTTP ${status}).`);
  }
}

/**
 * An abort signal that fires after `timeoutMs` of clock time or when `outer` aborts, and a
 * translation of whatever `fetch` threw into the client's error types. A caller's own abort is
 * passed through untouched, like `fetch` does.
 */
export function createDeadline(
  clock: Clock,
  timeoutMs: number,
  outer?: AbortSignal | null,
): { signal: AbortSignal; translate(error: unknown): unknown; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort(new NetworkError("TIMEOUT", `No answer within ${timeoutMs} ms.`));
  }, timeoutMs);
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    translate(error) {
      if (error instanceof HttpError || error instanceof NetworkError) return error;
      if (timedOut) return new NetworkError("TIMEOUT", `No answer within ${timeoutMs} ms.`);
      if (outer?.aborted) return outer.reason as unknown;
      return new NetworkError("NETWORK_ERROR", "The auth server could not be reached.", {
        cause: error,
      });
    },
    dispose() {
      clock.clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    },
  };
}

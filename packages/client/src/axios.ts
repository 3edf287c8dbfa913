import { RENEWABLE_CODES, type IssuedToken, type TokenAccess } from "./token-access.js";
import { errorCodeOf } from "./transport.js";

/**
 * The request config fields the interceptors read and write. Typed structurally so that the
 * client does not depend on (or pin) an axios version.
 *
 * @example
 * ```ts
 * const config: AxiosLikeConfig = { url: "/orders", baseURL: "https://api.example.com" };
 * ```
 */
export interface AxiosLikeConfig {
  url?: string | undefined;
  baseURL?: string | undefined;
  headers?: unknown;
}

/**
 * The parts of an axios instance the interceptors use (`axios.create()` returns one).
 *
 * @example
 * ```ts
 * import axios from "axios";
 * const api: AxiosLikeInstance = axios.create({ baseURL: "/api" });
 * ```
 */
export interface AxiosLikeInstance {
  interceptors: {
    request: {
      use(onFulfilled: AxiosLikeHandler): number;
      eject(id: number): void;
    };
    response: {
      use(onFulfilled: null, onRejected: AxiosLikeHandler): number;
      eject(id: number): void;
    };
  };
  request(config: AxiosLikeConfig): Promise<unknown>;
}

/**
 * An interceptor as axios declares it. Its config and response types differ between axios
 * versions, so the parameter is left open here and narrowed inside the interceptors.
 *
 * @example
 * ```ts
 * const passThrough: AxiosLikeHandler = (config) => config;
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: any axios version must fit
export type AxiosLikeHandler = (value: any) => any;

// Kept on the request config, which axios copies into the retry's config.
interface BatonConfig extends AxiosLikeConfig {
  /** The token this request was sent with (set only when the client attached it). */
  batonToken?: IssuedToken;
  /** The token to send on the retry. */
  batonRenewed?: IssuedToken;
  batonRetried?: boolean;
}

interface AxiosLikeError {
  config?: BatonConfig;
  response?: { status?: number; data?: unknown };
}

/**
 * Installs on an axios instance what `client.fetch` does for `fetch`: a request interceptor that
 * attaches the access token, and a response interceptor that answers `401 TOKEN_EXPIRED` with one
 * shared refresh and one retry. Returns a function that removes both interceptors.
 * (`client.axios(instance)` calls this with the client's token access.)
 *
 * Unlike the seeds' interceptors, it never posts to the refresh endpoint itself (that is the
 * client's single flight), never retries a request twice, and leaves every other 401 alone.
 */
export function installAxiosInterceptors(
  instance: AxiosLikeInstance,
  access: TokenAccess,
): () => void {
  const requestId = instance.interceptors.request.use(async (config: BatonConfig) => {
    const ours = config.batonToken !== undefined;
    if (!ours && hasAuthorization(config.headers)) return config;
    if (!access.attachesTo(fullUrl(config))) return config;
    const token = config.batonRenewed ?? (await access.acquire());
    if (!token) return config;
    config.batonToken = token;
    setAuthorization(config, `Bearer ${token.accessToken}`);
    return config;
  });

  const responseId = instance.interceptors.response.use(null, async (error: unknown) => {
    const { config, response } = (error ?? {}) as AxiosLikeError;
    if (!config?.batonToken || config.batonRetried || response?.status !== 401) throw error;
    const code = errorCodeOf(response.data);
    if (!code || !RENEWABLE_CODES.has(code)) throw error;
    config.batonRenewed = await access.renew(config.batonToken);
    config.batonRetried = true;
    return instance.request(config);
  });

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}

function fullUrl(config: AxiosLikeConfig): string {
  const url = config.url ?? "";
  if (/^[a-z][a-z\d+\-.]*:/i.test(url) || !config.baseURL) return url;
  return `${config.baseURL.replace(/\/+$/, "")}/${url.replace(/^\/+/, "")}`;
}

function hasAuthorization(headers: unknown): boolean {
  if (!headers || typeof headers !== "object") return false;
  const withHas = headers as { has?: (name: string) => boolean };
  if (typeof withHas.has === "function") return withHas.has("Authorization");
  return Object.keys(headers).some((key) => key.toLowerCase() === "authorization");
}

function setAuthorization(config: AxiosLikeConfig, value: string): void {
  const headers = config.headers as { set?: (name: string, value: string) => void } | undefined;
  if (headers && typeof headers.set === "function") headers.set("Authorization", value);
  else
    config.headers = { ...(headers as Record<string, string> | undefined), Authorization: value };
}

import axios, { isAxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from "axios";
import { isRenewable, type BatonTokens } from "./baton-tokens.js";

/**
 * An axios instance that sends the access token and, when Baton answers 401 TOKEN_EXPIRED (or
 * SESSION_REVOKED), refreshes once for all waiting requests and retries each of them once.
 */
export function createApi(baseURL: string, tokens: BatonTokens): AxiosInstance {
  const api = axios.create({ baseURL });

  api.interceptors.request.use((config) => {
    if (tokens.accessToken) config.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
    return config;
  });

  api.interceptors.response.use(undefined, async (error: unknown) => {
    if (!isAxiosError(error) || !error.config) throw error;
    const config: InternalAxiosRequestConfig & { batonRetried?: boolean } = error.config;
    if (config.batonRetried || !isRenewable(error.response?.status, error.response?.data)) {
      throw error;
    }
    config.batonRetried = true;
    const sent = String(config.headers.get("Authorization")).replace(/^Bearer /, "");
    await tokens.renew(sent);
    return api.request(config); // the request interceptor sends the new token
  });

  return api;
}

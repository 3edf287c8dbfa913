import axios, { type AxiosError, type AxiosInstance } from "axios";
import { createAuthRefresh } from "axios-auth-refresh";
import { isRenewable, type BatonTokens } from "./baton-tokens.js";

/** The same with the `axios-auth-refresh` plugin, configured so that no failed request is lost. */
export function createApi(baseURL: string, tokens: BatonTokens): AxiosInstance {
  const api = axios.create({ baseURL });

  api.interceptors.request.use((config) => {
    if (tokens.accessToken) config.headers.set("Authorization", `Bearer ${tokens.accessToken}`);
    return config;
  });

  createAuthRefresh(
    // Only for TypeScript's "moduleResolution": "NodeNext", where the plugin's types see axios's
    // CommonJS declarations; with "bundler" (Vite, Next.js) pass `api` as it is.
    api as Parameters<typeof createAuthRefresh>[0],
    async (failed: AxiosError) => {
      const sent = String(failed.config?.headers.get("Authorization")).replace(/^Bearer /, "");
      await tokens.renew(sent);
    },
    {
      // The default, true, rejects every request that fails while the refresh runs with its
      // original 401: of 20 concurrent requests on an expired token, 19 fail.
      deduplicateRefresh: false,
      // Only TOKEN_EXPIRED and SESSION_REVOKED: refreshing cannot fix any other 401.
      shouldRefresh: (error) => isRenewable(error.response?.status, error.response?.data),
    },
  );

  return api;
}

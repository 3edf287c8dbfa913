import type { AuthClient } from "@baton/client";
import axios from "axios";
import ky from "ky";

/**
 * ky and axios over `@baton/client` (`createAuthClient({ baseUrl: "/api/auth" })`): they get its
 * single-flight refresh, proactive refresh, retries and tab coordination, with no code of yours.
 */
export function createApis(auth: AuthClient, apiUrl: string) {
  const kyApi = ky.create({ prefixUrl: apiUrl, fetch: auth.fetch });
  const axiosApi = axios.create({ baseURL: apiUrl });
  auth.axios(axiosApi);
  return { kyApi, axiosApi };
}

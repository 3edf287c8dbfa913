import { parse as parseCookie } from "cookie";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  setCookies: string[];
}

/**
 * A tiny HTTP client for tests: real requests over a real socket, with a cookie jar that keeps
 * what the server sets (like a browser or `curl -c/-b`).
 */
export class TestClient {
  readonly jar = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    options: {
      json?: unknown;
      rawBody?: string;
      token?: string;
      headers?: Record<string, string>;
      cookies?: boolean;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] ??= "application/json";
    } else if (options.rawBody !== undefined) {
      body = options.rawBody;
    }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.cookies !== false && this.jar.size > 0 && headers.cookie === undefined) {
      headers.cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = ""] = line.split(";");
      const [name, value] = Object.entries(parseCookie(pair))[0] ?? [];
      if (name === undefined) continue;
      if (value === "" || /max-age=0/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value ?? "");
    }
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get("content-type") ?? "").includes("json") && text !== "")
      parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, setCookies };
  }

  post<T = any>(path: string, json?: unknown, options: Parameters<TestClient["request"]>[2] = {}) {
    return this.request<T>("POST", path, { ...options, ...(json === undefined ? {} : { json }) });
  }

  get<T = any>(path: string, token?: string, options: Parameters<TestClient["request"]>[2] = {}) {
    return this.request<T>("GET", path, { ...options, ...(token === undefined ? {} : { token }) });
  }
}

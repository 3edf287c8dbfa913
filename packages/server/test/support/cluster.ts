import { randomBytes } from "node:crypto";
import { startServer, type RunningServer, type ServerOptions } from "@baton/server";
import { TestClient } from "./http-client.js";
import { freshPostgresSchema, REDIS_URL } from "./services.js";

export interface Cluster {
  a: RunningServer;
  b: RunningServer;
  databaseUrl: string;
  /** Starts one more instance on the same database and secret (closed with the cluster). */
  another(): Promise<RunningServer>;
  /** A client whose requests look like they come from one fresh IP (counters start at zero). */
  client(server: RunningServer): TestClient;
  close(): Promise<void>;
}

/**
 * Two Baton instances on different ports sharing one PostgreSQL schema (and Redis unless
 * `redis: false`), with the same root secret — how a multi-node deployment runs.
 */
export async function startCluster(
  options: ServerOptions & { redis?: boolean } = {},
): Promise<Cluster> {
  const schema = await freshPostgresSchema();
  const { redis = true, ...rest } = options;
  const shared: ServerOptions = {
    databaseUrl: schema.url,
    secret: randomBytes(32).toString("base64url"),
    logger: false,
    // The suites here poll a token until a revocation reaches it (hundreds of requests a second
    // from one address and session): the budgets of rate-limit-budgets.test.ts would stop them.
    authRateLimit: 0,
    sessionRateLimit: 0,
    port: 0,
    host: "127.0.0.1",
    trustProxy: true,
    ...(redis ? { redisUrl: REDIS_URL } : {}),
    ...rest,
  };
  const a = await startServer(shared);
  const b = await startServer(shared);
  const more: RunningServer[] = [];
  const ip = `198.51.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  return {
    a,
    b,
    databaseUrl: schema.url,
    async another() {
      const server = await startServer(shared);
      more.push(server);
      return server;
    },
    client: (server) => new ForwardedClient(server.url, ip),
    async close() {
      for (const server of [a, b, ...more]) await server.close();
      await schema.drop();
    },
  };
}

class ForwardedClient extends TestClient {
  constructor(
    baseUrl: string,
    private readonly ip: string,
  ) {
    super(baseUrl);
  }
  override request<T = any>(
    method: string,
    path: string,
    options: Parameters<TestClient["request"]>[2] = {},
  ) {
    return super.request<T>(method, path, {
      ...options,
      headers: { "x-forwarded-for": this.ip, ...options.headers },
    });
  }
}

/** Repeats `probe` until it returns true or `limitMs` passes; returns the time it took. */
export async function timeUntil(probe: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await probe()) return performance.now() - started;
  }
  throw new Error(`condition not met within ${limitMs} ms`);
}

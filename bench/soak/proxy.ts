// A fault-injecting HTTP proxy between the soak's clients and the Baton server (in-process).
// Adds random latency, resets a share of connections before forwarding, and for
// POST /api/auth/refresh drops a share of answers *after the server handled the request*
// (the response is read in full, then the client's socket is destroyed instead of answered).
import { createServer, request as httpRequest, Agent, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxyFaults {
  /** Probability of resetting the client connection before the request is forwarded. */
  resetRate: number;
  /** Probability of dropping a /refresh answer after the server produced it. */
  dropRefreshRate: number;
  /** Latency added to every request: uniform in [0, maxLatencyMs], plus a rare slow tail. */
  maxLatencyMs: number;
  slowRate: number;
  slowMs: number;
}

export interface RefreshSample {
  /** When the proxy received the request (ms, Date.now()). */
  at: number;
  /** Server time: from forwarding the request to the end of its answer (no injected latency). */
  latencyMs: number;
  /** HTTP status, or 0 when the upstream connection failed. */
  status: number;
  /** Error code from the JSON body, if any. */
  code?: string;
  /** The answer was dropped on purpose after the server handled the request. */
  dropped: boolean;
}

export interface FaultProxy {
  url: string;
  enabled: boolean;
  upstream: string;
  faults: ProxyFaults;
  refresh: RefreshSample[];
  counts: { requests: number; resets: number; drops: number; upstreamErrors: number };
  close(): Promise<void>;
}

export async function startProxy(upstream: string, faults: ProxyFaults): Promise<FaultProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const proxy: FaultProxy = {
    url: "",
    enabled: false,
    upstream,
    faults,
    refresh: [],
    counts: { requests: 0, resets: 0, drops: 0, upstreamErrors: 0 },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
  const server: Server = createServer((req, res) => {
    const at = Date.now();
    proxy.counts.requests += 1;
    const isRefresh = req.method === "POST" && (req.url ?? "").startsWith("/api/auth/refresh");
    const f = proxy.faults;
    const on = proxy.enabled;
    if (on && Math.random() < f.resetRate) {
      proxy.counts.resets += 1;
      req.socket.destroy();
      return;
    }
    const delay = on
      ? Math.random() * f.maxLatencyMs + (Math.random() < f.slowRate ? f.slowMs : 0)
      : 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      setTimeout(() => {
        const target = new URL(req.url ?? "/", proxy.upstream);
        const started = Date.now();
        const upstreamReq = httpRequest(
          target,
          { method: req.method, headers: { ...req.headers, host: target.host }, agent },
          (upstreamRes) => {
            const body: Buffer[] = [];
            upstreamRes.on("data", (chunk: Buffer) => body.push(chunk));
            upstreamRes.on("end", () => {
              const payload = Buffer.concat(body);
              const drop = on && isRefresh && Math.random() < f.dropRefreshRate;
              if (isRefresh) {
                let code: string | undefined;
                if ((upstreamRes.statusCode ?? 0) >= 400) {
                  try {
                    code = (JSON.parse(payload.toString()) as { error?: { code?: string } }).error
                      ?.code;
                  } catch {
                    code = undefined;
                  }
                }
                proxy.refresh.push({
                  at,
                  latencyMs: Date.now() - started,
                  status: upstreamRes.statusCode ?? 0,
                  code,
                  dropped: drop,
                });
              }
              if (drop) {
                proxy.counts.drops += 1;
                req.socket.destroy();
                return;
              }
              const headers = { ...upstreamRes.headers };
              delete headers["transfer-encoding"];
              headers["content-length"] = String(payload.length);
              res.writeHead(upstreamRes.statusCode ?? 502, headers);
              res.end(payload);
            });
            upstreamRes.on("error", () => req.socket.destroy());
          },
        );
        upstreamReq.on("error", () => {
          proxy.counts.upstreamErrors += 1;
          if (isRefresh) {
            proxy.refresh.push({ at, latencyMs: Date.now() - started, status: 0, dropped: false });
          }
          // The server is gone (killed): the client sees a reset, like a real proxy's 502 would
          // be a transient error too.
          req.socket.destroy();
        });
        upstreamReq.end(Buffer.concat(chunks));
      }, delay);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

// A fault-injecting HTTP proxy between the soak's clients and the Baton server (in-process).
// Adds random latency, resets a share of connections before forwarding, and for
// POST /api/auth/refresh drops a share of answers *after the server handled the request*
// (the response is read in full, then the client's socket is destroyed instead of answered).
// Devices named by an `x-soak-device` header can be made to go offline right after one of their
// refresh answers is dropped: every request they send during the offline period is reset
// before it reaches the server (a train in a tunnel, a closed laptop lid, a suspended app).
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

/** Devices that go offline for a while right after a dropped refresh answer. */
export interface OfflineAfterDrop {
  /** Values of the `x-soak-device` header. Their answers are dropped only this way. */
  devices: ReadonlySet<string>;
  /**
   * Probability of dropping one of their successful refresh answers when a period may start.
   * A device's first such answer is always dropped, so every device goes offline at least once.
   */
  dropRate: number;
  minMs: number;
  maxMs: number;
  /** No offline period starts unless it is over by then (Date.now() ms). */
  endBy: number;
  /**
   * Delivered refresh answers a device needs after coming back before its next offline period
   * starts: the first is its recovery, the second a rotation delivered to it. (Losing the answer
   * of the refresh right after a recovery and staying away again is the documented limit of
   * docs/security.md, "Stolen refresh token": it ends the session by design.)
   */
  deliveredBetween: number;
}

export interface OfflinePeriod {
  device: string;
  start: number;
  end: number;
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
  /**
   * From the client's fetch call (its `x-soak-sent` header) to the proxy forwarding the request:
   * time the request spent in this process before reaching the server.
   */
  heldMs?: number;
}

export interface FaultProxy {
  url: string;
  enabled: boolean;
  upstream: string;
  faults: ProxyFaults;
  refresh: RefreshSample[];
  counts: {
    requests: number;
    resets: number;
    drops: number;
    upstreamErrors: number;
    /** Requests of offline devices, reset at the proxy. */
    refusedOffline: number;
  };
  offline: OfflinePeriod[];
  /** The device is offline at `at` (an offline period covers it). */
  isOffline(device: string, at: number): boolean;
  close(): Promise<void>;
}

export async function startProxy(
  upstream: string,
  faults: ProxyFaults,
  offlineAfterDrop?: OfflineAfterDrop,
): Promise<FaultProxy> {
  // Delivered refresh answers per device since it last came back (eligible from the start).
  const delivered = new Map<string, number>();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const proxy: FaultProxy = {
    url: "",
    enabled: false,
    upstream,
    faults,
    refresh: [],
    counts: { requests: 0, resets: 0, drops: 0, upstreamErrors: 0, refusedOffline: 0 },
    offline: [],
    isOffline: (device, at) =>
      proxy.offline.some((p) => p.device === device && at >= p.start && at < p.end),
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
    const sent = Number(req.headers["x-soak-sent"]);
    const header = req.headers["x-soak-device"];
    const device = typeof header === "string" ? header : undefined;
    const sleeper = device !== undefined && offlineAfterDrop?.devices.has(device) === true;
    if (on && sleeper && proxy.isOffline(device, at)) {
      proxy.counts.refusedOffline += 1;
      req.socket.destroy();
      return;
    }
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
        const heldMs = Number.isFinite(sent) && sent > 0 ? started - sent : undefined;
        const upstreamReq = httpRequest(
          target,
          { method: req.method, headers: { ...req.headers, host: target.host }, agent },
          (upstreamRes) => {
            const body: Buffer[] = [];
            upstreamRes.on("data", (chunk: Buffer) => body.push(chunk));
            upstreamRes.on("end", () => {
              const payload = Buffer.concat(body);
              const status = upstreamRes.statusCode ?? 0;
              const now = Date.now();
              const goesOffline =
                on &&
                isRefresh &&
                sleeper &&
                status === 200 &&
                offlineAfterDrop !== undefined &&
                now + offlineAfterDrop.maxMs <= offlineAfterDrop.endBy &&
                (delivered.get(device) ?? offlineAfterDrop.deliveredBetween) >=
                  offlineAfterDrop.deliveredBetween &&
                (!proxy.offline.some((p) => p.device === device) ||
                  Math.random() < offlineAfterDrop.dropRate);
              const drop =
                goesOffline || (on && isRefresh && !sleeper && Math.random() < f.dropRefreshRate);
              if (goesOffline) {
                const { minMs, maxMs } = offlineAfterDrop;
                const ms = minMs + Math.random() * (maxMs - minMs);
                proxy.offline.push({ device, start: now, end: now + ms });
                delivered.set(device, 0);
              } else if (isRefresh && sleeper && status === 200) {
                delivered.set(device, (delivered.get(device) ?? 0) + 1);
              }
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
                  heldMs,
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
            proxy.refresh.push({
              at,
              latencyMs: Date.now() - started,
              status: 0,
              dropped: false,
              heldMs,
            });
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
  // Hundreds of tabs reconnect at once after a server restart: with Node's default backlog (511)
  // the kernel drops the excess SYNs, and their retransmissions (1, 3, 7, 15, 31 s) held requests
  // in this process for up to 35 s, long enough to make a duplicate look like reuse.
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve),
  );
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

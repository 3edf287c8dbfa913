import type { FetchLike } from "../../src/transport.js";
import { settle } from "./manual-clock.js";

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type InjectedFault =
  "network" | "lost-response" | "hang" | "hang-after-processing" | "503" | "429";

/** Probability of each fault, per request path. */
export type FaultPlan = Record<string, Partial<Record<InjectedFault, number>>>;

/**
 * A real `fetch` (to the real server) with faults injected from a seeded random stream per path,
 * and a count of requests still on the wire, so a test on a manual clock can tell "waiting for
 * the network" (wait) from "waiting for a timer" (advance the clock).
 *
 * - network: fails before anything is sent.
 * - lost-response: the server processes the request, the answer never arrives (connection reset).
 * - hang: nothing is sent; the request hangs until the client's time-out aborts it.
 * - hang-after-processing: the server processes it; the answer hangs until the time-out.
 * - 503/429: answered without reaching the server, with Retry-After.
 */
export class FaultyNetwork {
  readonly counts = new Map<string, number>();
  readonly faults = new Map<InjectedFault, number>();
  private inflight = 0;
  private waiters: (() => void)[] = [];
  private streams = new Map<string, () => number>();
  /** Once true, no more faults are injected. */
  healed = false;

  /** Called with a line per request (for traces). */
  onEvent: ((line: string) => void) | undefined;

  constructor(
    private readonly plan: FaultPlan,
    private readonly seed: number,
    /** Rewrites the Date header to the simulated server time (Node stamps real time). */
    private readonly serverNow: () => number,
  ) {}

  count(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
    );
    const path = url.pathname;
    this.counts.set(path, this.count(path) + 1);
    const fault = this.pick(path);
    if (fault) this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
    if (path.endsWith("/refresh")) this.onEvent?.(`${path} ${fault ?? "ok"}`);
    const hangUntilAborted = () =>
      new Promise<Response>((_resolve, reject) => {
        const signal = init?.signal;
        if (signal?.aborted) reject(signal.reason as Error);
        signal?.addEventListener("abort", () => reject(signal.reason as Error));
      });
    switch (fault) {
      case "network":
        throw new TypeError("fetch failed (injected)");
      case "hang":
        return hangUntilAborted();
      case "503":
        return Response.json(
          { error: { code: "UNAVAILABLE", message: "injected" } },
          { status: 503, headers: { "retry-after": "1" } },
        );
      case "429":
        return Response.json(
          { error: { code: "RATE_LIMITED", message: "injected" } },
          { status: 429, headers: { "retry-after": "2" } },
        );
      default:
        break;
    }
    this.inflight += 1;
    let response: Response;
    let body: ArrayBuffer;
    try {
      // No signal: the exchange with the real server always completes, so the server's state
      // is exactly what an uninterrupted request would leave; the client's time-out is
      // modelled by `hang-after-processing`.
      const real = await globalThis.fetch(input, { ...init, signal: null });
      body = await real.arrayBuffer();
      const headers = new Headers(real.headers);
      headers.set("date", new Date(this.serverNow()).toUTCString());
      response = new Response(real.status === 204 ? null : body, { status: real.status, headers });
    } finally {
      this.inflight -= 1;
      if (this.inflight === 0) for (const wake of this.waiters.splice(0)) wake();
    }
    if (fault === "lost-response") throw new TypeError("fetch failed (injected: answer lost)");
    if (fault === "hang-after-processing") return hangUntilAborted();
    return response;
  };

  /** Resolves once no request is on the wire and the client has reacted to the last answer. */
  async quiet(): Promise<void> {
    for (;;) {
      if (this.inflight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
      await settle();
      if (this.inflight === 0) return;
    }
  }

  private pick(path: string): InjectedFault | undefined {
    const probabilities = this.plan[path];
    if (!probabilities || this.healed) return undefined;
    let stream = this.streams.get(path);
    if (!stream) {
      stream = seededRandom(this.seed ^ hash(path));
      this.streams.set(path, stream);
    }
    let roll = stream();
    for (const [fault, p] of Object.entries(probabilities) as [InjectedFault, number][]) {
      if (roll < p) return fault;
      roll -= p;
    }
    return undefined;
  }
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

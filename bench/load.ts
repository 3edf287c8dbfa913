// The load generator, run in its own process (and, when pinned, on its own core).
// Reads a JSON job from argv[2]; prints one JSON result line.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

interface Job {
  url: string;
  connections: number;
  duration: number;
  kind: "get" | "get-rotating-tokens" | "refresh-chains" | "login";
  token?: string;
  /** Extra request headers of a "get" job (a session cookie). */
  headers?: Record<string, string>;
  tokensFile?: string;
  refreshTokens?: string[];
  login?: { email: string; password: string };
  overallRate?: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
let rotations = 0;
const options: autocannon.Options = {
  url: job.url,
  connections: job.connections,
  duration: job.duration,
};
if (job.overallRate) options.overallRate = job.overallRate;

if (job.kind === "get") {
  options.headers = {
    ...(job.token === undefined ? {} : { authorization: `Bearer ${job.token}` }),
    ...job.headers,
  };
} else if (job.kind === "get-rotating-tokens") {
  const tokens = readFileSync(job.tokensFile!, "utf8").split("\n");
  let next = 0;
  options.requests = [
    {
      method: "GET",
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
      }),
    },
  ];
} else if (job.kind === "refresh-chains") {
  // Each session's current refresh token waits in `ready` while no request carries it; a request
  // takes one and puts back its successor, so every request is a real rotation, like one client
  // per session. (autocannon's per-request context cannot carry it: it is reset before every
  // request of a one-request list.) Rotations are counted so the bench can check that claim.
  const ready = [...job.refreshTokens!];
  options.requests = [
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      setupRequest: (request, state: object) => {
        const context = state as { token?: string };
        context.token = ready.pop();
        if (context.token === undefined) throw new Error("more connections than sessions");
        return { ...request, body: JSON.stringify({ refreshToken: context.token }) };
      },
      onResponse: (status, body, state: object) => {
        const context = state as { token: string };
        const next =
          status === 200 ? (JSON.parse(body) as { refreshToken: string }).refreshToken : undefined;
        if (next !== undefined && next !== context.token) rotations++;
        ready.push(next ?? context.token);
      },
    },
  ];
} else if (job.kind === "login") {
  options.method = "POST";
  options.headers = { "content-type": "application/json" };
  options.body = JSON.stringify({ ...job.login, transport: "body" });
}

// Latencies kept in microseconds from each response: autocannon's own histogram holds whole
// milliseconds, too coarse for a p99 of a few ms. With a fixed request rate, a late response also
// stands for the requests it held up (coordinated omission), as autocannon itself corrects.
const latencies: number[] = [];
const expectedIntervalUs = job.overallRate ? (1e6 * job.connections) / job.overallRate : 0;
const instance = autocannon(options, (error, result) => {
  if (error) throw error;
  latencies.sort((a, b) => a - b);
  /** In milliseconds, two decimals. */
  const percentile = (p: number) =>
    Math.round((latencies[Math.max(0, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0) / 10) /
    100;
  process.stdout.write(
    `${JSON.stringify({
      requestsPerSecond: result.requests.average,
      p50: percentile(50),
      p99: percentile(99),
      p999: percentile(99.9),
      total: result.requests.total,
      non2xx: result.non2xx,
      ...(job.kind === "refresh-chains" ? { rotations } : {}),
      errors: result.errors,
    })}\n`,
  );
});
instance.on("response", (_client, statusCode: number, _bytes, responseTimeMs: number) => {
  if (statusCode < 200 || statusCode >= 300) return;
  const us = Math.round(responseTimeMs * 1000);
  latencies.push(us);
  if (expectedIntervalUs > 0)
    for (
      let missed = us - expectedIntervalUs;
      missed >= expectedIntervalUs;
      missed -= expectedIntervalUs
    )
      latencies.push(Math.round(missed));
});

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
  tokensFile?: string;
  refreshTokens?: string[];
  login?: { email: string; password: string };
  overallRate?: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const options: autocannon.Options = {
  url: job.url,
  connections: job.connections,
  duration: job.duration,
};
if (job.overallRate) options.overallRate = job.overallRate;

if (job.kind === "get") {
  options.headers = { authorization: `Bearer ${job.token}` };
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
  // Each connection owns one session and follows its rotation chain, like one client.
  const tokens = job.refreshTokens!;
  let next = 0;
  options.requests = [
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      setupRequest: (request, state: object) => {
        const context = state as { token?: string };
        context.token ??= tokens[next++ % tokens.length];
        return { ...request, body: JSON.stringify({ refreshToken: context.token }) };
      },
      onResponse: (status, body, state: object) => {
        const context = state as { token?: string };
        if (status === 200)
          context.token = (JSON.parse(body) as { refreshToken: string }).refreshToken;
      },
    },
  ];
} else if (job.kind === "login") {
  options.method = "POST";
  options.headers = { "content-type": "application/json" };
  options.body = JSON.stringify({ ...job.login, transport: "body" });
}

autocannon(options, (error, result) => {
  if (error) throw error;
  process.stdout.write(
    `${JSON.stringify({
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      p999: result.latency.p99_9,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
    })}\n`,
  );
});

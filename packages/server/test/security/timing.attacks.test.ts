import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../support/test-server.js";

// User enumeration through response time. The one place in the suite where real time matters:
// login is measured over real HTTP, the three kinds of attempt interleaved in a shuffled order so
// that whatever else the machine does (other test files on the other core) hits all of them alike.
// Robust statistics only: medians and Cliff's delta (an effect size: the probability that one
// sample is larger minus the probability that it is smaller), never a mean or a single sample.

const ROUNDS = 40;
const WARM_UP = 8;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Cliff's delta of a against b, in [-1, 1]: 0 when neither tends to be larger. */
function cliffsDelta(a: number[], b: number[]): number {
  let score = 0;
  for (const x of a) for (const y of b) score += Math.sign(x - y);
  return score / (a.length * b.length);
}

describe("login timing does not reveal which accounts exist", () => {
  let server: TestServer;
  const samples = {
    wrongPassword: [] as number[],
    unknownEmail: [] as number[],
    malformed: [] as number[],
  };

  beforeAll(async () => {
    server = await startTestServer("fastify", {
      loginMaxFailures: 1000,
      loginMaxFailuresPerIp: 100_000,
    });
    await signUp(server, "ada@example.com");
    const client = server.client();
    const attempts = {
      wrongPassword: () =>
        client.post("/api/auth/login", { email: "ada@example.com", password: "not the password" }),
      unknownEmail: () =>
        client.post("/api/auth/login", {
          email: "nobody@example.com",
          password: "not the password",
        }),
      // Refused before any hashing: the positive control that proves the measurement can see
      // a difference of one password hash.
      malformed: () =>
        client.post("/api/auth/login", { email: "not-an-email", password: "not the password" }),
    };
    const kinds = Object.keys(attempts) as (keyof typeof attempts)[];
    for (let round = 0; round < WARM_UP + ROUNDS; round++) {
      const order = [...kinds].sort(() => Math.random() - 0.5);
      for (const kind of order) {
        const started = performance.now();
        const response = await attempts[kind]();
        const elapsed = performance.now() - started;
        expect(response.status).toBe(401);
        if (round >= WARM_UP) samples[kind].push(elapsed);
      }
    }
  });
  afterAll(() => server.close());

  it(`an unknown email and a wrong password take the same time (${ROUNDS} interleaved tries each; medians within 25 %, |Cliff's delta| < 0.5) — OWASP WSTG-IDNT-04, OWASP ASVS 2.2, CWE-208`, () => {
    const wrong = median(samples.wrongPassword);
    const unknown = median(samples.unknownEmail);
    const delta = cliffsDelta(samples.unknownEmail, samples.wrongPassword);
    const report = `medians: wrong password ${wrong.toFixed(1)} ms, unknown email ${unknown.toFixed(1)} ms; delta ${delta.toFixed(2)}`;
    expect(Math.abs(unknown - wrong) / wrong, report).toBeLessThan(0.25);
    expect(Math.abs(delta), report).toBeLessThan(0.5);
  });

  it("positive control: the same measurement does tell apart an attempt that skips the password hash — CWE-208", () => {
    const wrong = median(samples.wrongPassword);
    const malformed = median(samples.malformed);
    const delta = cliffsDelta(samples.malformed, samples.wrongPassword);
    const report = `medians: wrong password ${wrong.toFixed(1)} ms, malformed ${malformed.toFixed(1)} ms; delta ${delta.toFixed(2)}`;
    expect(malformed / wrong, report).toBeLessThan(0.6);
    expect(delta, report).toBeLessThan(-0.8);
  });
});

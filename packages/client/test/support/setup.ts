import { createAuthClient } from "../../src/client.js";
import type { AuthClient, AuthClientOptions } from "../../src/client-types.js";
import type { SessionEndReason } from "../../src/errors.js";
import type { AuthLogger } from "../../src/logger.js";
import { FakeBatonServer } from "./fake-server.js";
import { FakeEnvironment } from "./fake-tabs.js";
import { ManualClock, settle } from "./manual-clock.js";

export const BASE_URL = "http://app.test/api/auth";
export const EMAIL = "ada@example.com";
export const PASSWORD = "correct horse battery";

export interface Harness {
  clock: ManualClock;
  server: FakeBatonServer;
  jar: { token?: string };
  environment: FakeEnvironment;
  logs: string[];
  ended: SessionEndReason[];
  client: AuthClient;
  /** Another "page" of the same browser (shares the cookie jar, not the memory). */
  reload: (options?: Partial<AuthClientOptions>) => AuthClient;
}

/** A cookie-transport client on a manual clock against the fake server, signed out. */
export async function setup(options: Partial<AuthClientOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  const server = new FakeBatonServer(clock);
  server.addUser(EMAIL, PASSWORD, ["user"]);
  const jar = server.createJar();
  const environment = new FakeEnvironment();
  const logs: string[] = [];
  const ended: SessionEndReason[] = [];
  const logger: AuthLogger = {
    debug: (message, fields) => logs.push(`${message} ${JSON.stringify(fields ?? {})}`),
    warn: (message, fields) => logs.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
  const make = (extra: Partial<AuthClientOptions> = {}) =>
    createAuthClient({
      baseUrl: BASE_URL,
      transport: "cookie",
      fetch: server.fetchFor(jar),
      clock,
      random: () => 0.5,
      environment,
      crossTab: false,
      logger,
      onSessionEnded: (reason) => ended.push(reason),
      ...options,
      ...extra,
    });
  const client = make({});
  await settle();
  // Counts in tests start after the initial (cookie-less) restore.
  server.requests.length = 0;
  return { clock, server, jar, environment, logs, ended, client, reload: make };
}

/** Drives the manual clock in small steps until `promise` settles (for requests that wait). */
export async function driveUntilSettled<T>(
  clock: ManualClock,
  promise: Promise<T>,
  stepMs = 250,
  maxMs = 600_000,
): Promise<T> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  for (let elapsed = 0; !done && elapsed < maxMs; elapsed += stepMs) await clock.advance(stepMs);
  return watched;
}

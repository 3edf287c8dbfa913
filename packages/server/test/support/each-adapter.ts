import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import type { ServerOptions } from "@baton/server";
import { startTestServer, type Adapter, type TestServer } from "./test-server.js";

/** The two ways an app mounts Baton; the HTTP suite runs every case through both. */
export const ADAPTERS: readonly Adapter[] = ["fastify", "express"];

export interface ServerSetup {
  /**
   * `"test"`: a new server (new database, new clock) for every test of the block, for cases
   * that must not see each other's users or rate-limit counts; `"block"`: one for the block.
   */
  per: "test" | "block";
  options?: ServerOptions;
}

/**
 * Starts a test server through `adapter` before the tests of the enclosing `describe` and
 * closes it after them. The handle it returns always names the server of the running test, so
 * a block can use it as it would a `TestServer` variable (and its own hooks run after this one
 * has started the server).
 */
export function useTestServer(adapter: Adapter, setup: ServerSetup): TestServer {
  let current: TestServer | undefined;
  const start = async () => {
    current = await startTestServer(adapter, setup.options);
  };
  const close = async () => {
    await current?.close();
    current = undefined;
  };
  if (setup.per === "test") {
    beforeEach(start);
    afterEach(close);
  } else {
    beforeAll(start);
    afterAll(close);
  }
  const server = () => {
    if (!current) throw new Error("the test server is only there while a test of its block runs");
    return current;
  };
  return {
    get url() {
      return server().url;
    },
    get baton() {
      return server().baton;
    },
    get clock() {
      return server().clock;
    },
    get events() {
      return server().events;
    },
    get dir() {
      return server().dir;
    },
    client: () => server().client(),
    close: () => server().close(),
  };
}

/**
 * Every HTTP case through both adapters: one `describe` per adapter (`title` names it with
 * `%s`), each with its own test server (see `useTestServer`), so Fastify and Express are held to
 * the same assertions.
 */
export function describeEachAdapter(
  title: string,
  setup: ServerSetup,
  body: (server: TestServer, adapter: Adapter) => void,
): void {
  describe.each(ADAPTERS)(title, (adapter) => body(useTestServer(adapter, setup), adapter));
}

import { describe, expect, it } from "vitest";
import * as root from "@baton/server";
import * as cli from "@baton/server/cli";
import * as express from "@baton/server/express";
import * as fastify from "@baton/server/fastify";
import * as socket from "@baton/server/socket";

// Issue 13 item 2: each adapter has its own entry point, the root no longer exports the CLI's
// and the demo's helpers, and a Baton's core (it holds the signing keys) is not reachable
// through any public export or property.
describe("@baton/server's entry points", () => {
  it("the root: createBaton and its types, no adapter, CLI helper or internals", () => {
    const names = Object.keys(root);
    expect(names).toContain("createBaton");
    for (const hidden of [
      "serverEnv",
      "developmentBanner",
      "startupRows",
      "coreOf",
      "internalsOf",
      "batonFastify",
      "batonExpress",
      "batonSocketAuth",
    ])
      expect(names).not.toContain(hidden);
  });

  it("one entry point per adapter, and one for the command's parts", () => {
    expect(Object.keys(fastify)).toEqual(["batonFastify"]);
    expect(Object.keys(express)).toEqual(["batonExpress"]);
    expect(Object.keys(socket).sort()).toEqual(
      ["REAUTH_EVENT", "SESSION_ENDED_EVENT", "batonSocketAuth"].sort(),
    );
    expect(Object.keys(cli).sort()).toEqual(["developmentBanner", "serverEnv", "startupRows"]);
  });

  it("a Baton carries no core: not as a property, not under any key", async () => {
    const baton = await root.createBaton({ databaseUrl: "sqlite::memory:", logger: false });
    try {
      expect(baton).not.toHaveProperty("core");
      const reachable = [...Object.keys(baton), ...Object.getOwnPropertySymbols(baton)];
      for (const key of reachable)
        expect(Object.keys(Object((baton as never)[key] ?? {}))).not.toContain("accessTokens");
    } finally {
      await baton.close();
    }
  });

  it("the adapters refuse an object that createBaton did not make", () => {
    expect(() => express.batonExpress({} as root.Baton)).toThrow(TypeError);
    expect(() => fastify.batonFastify({} as root.Baton)).toThrow(TypeError);
  });
});

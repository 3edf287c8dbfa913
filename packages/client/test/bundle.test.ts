import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = (path: string) => fileURLToPath(new URL(path, import.meta.url));

describe("the browser bundle", () => {
  it("builds for the browser with no Node built-ins and no server code", async () => {
    const result = await build({
      entryPoints: [entry("../src/index.ts"), entry("../src/react/index.ts")],
      bundle: true,
      write: false,
      outdir: "out",
      format: "esm",
      platform: "browser",
      minify: true,
      metafile: true,
      external: ["react", "react/jsx-runtime"],
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(
      inputs.filter((input) => input.includes("packages/server") || input.startsWith("node:")),
    ).toEqual([]);
    expect(inputs.some((input) => input.includes("src/node/"))).toBe(false);
    const core = result.outputFiles.find(
      (file) => file.path.endsWith("index.js") && !file.path.includes("react"),
    )!;
    const gzipped = gzipSync(core.contents).length;
    console.info(`[bundle] core: ${core.contents.length} bytes minified, ${gzipped} gzipped`);
    expect(gzipped).toBeLessThan(12_000);
  });
});

#!/usr/bin/env node
/**
 * Builds the web app with Vite when it is missing or older than its sources (`npm start` runs
 * this before the server; `--force` always builds). Sources: the app, its Vite config, the chat
 * protocol it shares with the server, and the client packages it bundles from source.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The demo's folder, whether this runs from `server/` (source) or `dist/server/` (compiled). */
export function demoRoot(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const candidate of [join(here, ".."), join(here, "..", "..")]) {
    if (existsSync(join(candidate, "vite.config.ts"))) return candidate;
  }
  throw new Error(`Cannot find the demo's vite.config.ts above ${here}`);
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when `outDir` has no build, or one older than any source file. */
export function spaIsStale(root = demoRoot(), outDir = join(root, "dist", "client")): boolean {
  const built = join(outDir, "index.html");
  if (!existsSync(built)) return true;
  const sources = [
    join(root, "src"),
    join(root, "public"),
    join(root, "index.html"),
    join(root, "vite.config.ts"),
    join(root, "server", "chat", "protocol.ts"),
    join(root, "..", "..", "packages", "client", "src"),
    join(root, "..", "..", "packages", "protocol", "src"),
  ];
  const builtAt = statSync(built).mtimeMs;
  return sources.some((source) => newestMtime(source) > builtAt);
}

/** Runs `vite build` with the demo's config, into `outDir` (default `dist/client`). */
export async function buildSpa(
  options: { outDir?: string; quiet?: boolean } = {},
): Promise<string> {
  const root = demoRoot();
  const outDir = options.outDir ?? join(root, "dist", "client");
  const { build } = await import("vite");
  await build({
    root,
    configFile: join(root, "vite.config.ts"),
    logLevel: options.quiet ? "silent" : "info",
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

const invokedDirectly =
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  const force = process.argv.includes("--force");
  if (force || spaIsStale()) {
    buildSpa().catch((error: unknown) => {
      process.stderr.write(`Building the web app failed: ${String(error)}\n`);
      process.exit(1);
    });
  } else {
    process.stdout.write("Web app is up to date (apps/demo/dist/client); --force rebuilds.\n");
  }
}

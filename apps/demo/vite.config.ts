import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { createLogger, defineConfig, type Plugin, type ProxyOptions } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Where the demo server listens during `npm run dev`. DEMO_API_URL points Vite at a server you
 * run yourself (then none is started); otherwise one is started on DEMO_API_PORT (default 3000).
 */
const apiUrl = process.env.DEMO_API_URL ?? `http://127.0.0.1:${process.env.DEMO_API_PORT ?? 3000}`;

// Same origin for the browser: Vite forwards the APIs and the socket.io WebSocket, in the short
// form Vite's documentation shows (which sets changeOrigin): in development Baton accepts a
// loopback page calling a loopback server, so nothing more is needed.
const proxy: Record<string, string | ProxyOptions> = {
  "/api": apiUrl,
  "/socket.io": { target: apiUrl, ws: true },
  "/healthz": apiUrl,
  "/.well-known": apiUrl,
};

/**
 * Vite's logger, minus one kind of noise: a page reload closes its WebSocket while the proxy
 * is writing to it (EPIPE/ECONNRESET), which Vite would print as an error every time.
 */
function quietProxyLogger() {
  const logger = createLogger();
  const error = logger.error.bind(logger);
  logger.error = (message, options) => {
    const code = (options?.error as { code?: string } | null | undefined)?.code;
    if (message.includes("ws proxy") && (code === "EPIPE" || code === "ECONNRESET")) return;
    error(message, options);
  };
  return logger;
}

/**
 * `npm run dev` starts the compiled demo server beside Vite (unless DEMO_API_URL is set) and stops
 * it with Vite. Its banner then names Vite's URL as the one to open.
 */
function demoApiServer(): Plugin {
  let child: ChildProcess | undefined;
  const stop = () => {
    child?.kill("SIGTERM");
    child = undefined;
  };
  return {
    name: "baton-demo-api-server",
    apply: "serve",
    configureServer(server) {
      if (process.env.DEMO_API_URL) return;
      const entry = here("./dist/server/main.js");
      if (!existsSync(entry)) {
        server.config.logger.warn(
          `[demo] ${entry} is missing: run \`npm run build\` first (the root \`npm run dev\` does).`,
        );
        return;
      }
      server.httpServer?.once("listening", () => {
        const address = server.httpServer?.address() as AddressInfo | null;
        const publicUrl = `http://localhost:${address?.port ?? 5173}`;
        child = spawn(process.execPath, [entry], {
          // From the repository root, like `npm start`: the same ./data/ (accounts, messages).
          cwd: here("../.."),
          stdio: "inherit",
          env: {
            ...process.env,
            PORT: new URL(apiUrl).port,
            HOST: "127.0.0.1",
            DEMO_PUBLIC_URL: publicUrl,
          },
        });
        child.once("exit", (code) => {
          if (code !== null && code !== 0) {
            server.config.logger.error(
              `[demo] the API server exited with code ${code} (is port ${new URL(apiUrl).port} in use? set DEMO_API_PORT)`,
            );
          }
        });
      });
      server.httpServer?.once("close", stop);
      process.once("exit", stop);
    },
  };
}

export default defineConfig({
  root: here("."),
  customLogger: quietProxyLogger(),
  plugins: [react(), demoApiServer()],
  resolve: {
    // Like the root vitest config: the workspace packages from source, so the demo needs no
    // package build and Vite hot-reloads client changes. The demo imports only the public entry
    // points `@baton/client` and `@baton/client/react`.
    alias: [
      {
        find: /^@baton\/client\/react$/,
        replacement: here("../../packages/client/src/react/index.ts"),
      },
      { find: /^@baton\/client$/, replacement: here("../../packages/client/src/index.ts") },
      { find: /^@baton\/protocol$/, replacement: here("../../packages/protocol/src/index.ts") },
    ],
  },
  build: {
    outDir: here("./dist/client"),
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
  },
  server: { port: 5173, proxy },
  preview: { port: 4173, proxy },
});

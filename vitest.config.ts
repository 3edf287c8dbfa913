import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources of every workspace package (no build step needed),
// so cross-package imports are pointed at each package's src/index.ts.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@baton\/protocol$/, replacement: src("./packages/protocol/src/index.ts") },
      { find: /^@baton\/server$/, replacement: src("./packages/server/src/index.ts") },
      {
        find: /^@baton\/server\/testing$/,
        replacement: src("./packages/server/src/testing/index.ts"),
      },
      {
        find: /^@baton\/server\/(fastify|express|socket|cli)$/,
        replacement: src("./packages/server/src/exports/$1.ts"),
      },
      { find: /^@baton\/verify$/, replacement: src("./packages/verify/src/index.ts") },
      {
        find: /^@baton\/verify\/kernel$/,
        replacement: src("./packages/verify/src/kernel/index.ts"),
      },
      { find: /^@baton\/client\/react$/, replacement: src("./packages/client/src/react/index.ts") },
      { find: /^@baton\/client\/node$/, replacement: src("./packages/client/src/node/index.ts") },
      { find: /^@baton\/client$/, replacement: src("./packages/client/src/index.ts") },
    ],
  },
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "packages/*/test/**/*.test.tsx",
      "apps/*/test/**/*.test.ts",
    ],
    // Fault tests stop and start the machine's PostgreSQL and Redis: they run alone, after the
    // rest (npm run test:faults).
    exclude: process.env.BATON_FAULT_TESTS
      ? ["**/node_modules/**"]
      : ["**/node_modules/**", "**/test/faults/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Test files whose assertions hold a real-time bound: see `exclude` below. */
export const TIMED = [
  "packages/server/test/security/timing.attacks.test.ts",
  "packages/server/test/concurrency/**/*.test.ts",
  "packages/server/test/cluster/**/*.test.ts",
];

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
    include:
      process.env.BATON_TEST_PASS === "timed"
        ? TIMED
        : [
            "packages/*/test/**/*.test.ts",
            "packages/*/test/**/*.test.tsx",
            "apps/*/test/**/*.test.ts",
          ],
    // Fault tests stop and start the machine's PostgreSQL and Redis: they run alone, after the
    // rest (npm run test:faults). `npm test` runs the rest in two passes: everything but TIMED on
    // two workers (BATON_TEST_PASS=parallel), then TIMED alone with one (npm run test:timed:
    // BATON_TEST_PASS=timed), so a
    // neighbouring test file never eats into a real-time bound.
    exclude: [
      "**/node_modules/**",
      ...(process.env.BATON_FAULT_TESTS ? [] : ["**/test/faults/**"]),
      ...(process.env.BATON_TEST_PASS === "parallel" ? TIMED : []),
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});

#!/usr/bin/env node
// The `baton` command. This file is committed, not built: npm links a package's bins when it
// installs it, and in a clone that is before `npm run build` has made dist/. A bin pointing into
// dist/ was skipped then, and `npx baton` went on to fetch an unrelated package of that name from
// the registry (issue 13).
import { existsSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    "baton: @baton/server is not built yet (no dist/). In a clone of Baton, run `npm run build` first.\n",
  );
  process.exit(1);
}
await import(main.href);

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERROR_STATUS } from "@baton/protocol";
import { allRoutes } from "../../src/http/routes/all-routes.js";
import { environmentVariables } from "../../src/config/env.js";

const doc = (name: string) =>
  readFileSync(new URL(`../../../../docs/${name}`, import.meta.url), "utf8");

// House rule: what the code defines and what the docs say cannot drift apart.
describe("docs stay true", () => {
  const api = doc("api.md");
  it.each(ERROR_CODES)("docs/api.md documents %s with its status", (code) => {
    expect(api).toMatch(new RegExp(`\\| \`${code}\` \\| ${ERROR_STATUS[code]} \\|`));
  });
  it("docs/api.md documents no code that does not exist", () => {
    const documented = [...api.matchAll(/^\| `([A-Z_]+)` \| \d{3} \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...ERROR_CODES].sort());
  });
  it.each(
    allRoutes().flatMap((route) =>
      [route.path, ...(route.aliases ?? [])].map((path) => [route.method, path] as const),
    ),
  )("docs/api.md lists %s %s", (method, path) => {
    expect(api).toContain(`\`${path}`);
    expect(api).toMatch(
      new RegExp(`\\| ${method} \\| [^|]*\`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
  });
  const configuration = doc("configuration.md");
  it.each(environmentVariables())("docs/configuration.md documents %s", (name) => {
    expect(configuration).toContain(`\`${name}\``);
  });
});

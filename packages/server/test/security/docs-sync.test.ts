import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// docs/security.md is the map of this suite: every attack file is listed there, and every file it
// links to exists (house rule: prose that nothing checks drifts).

const here = fileURLToPath(new URL(".", import.meta.url));
const doc = readFileSync(new URL("../../../../docs/security.md", import.meta.url), "utf8");
const suiteFiles = readdirSync(here).filter(
  (name) => name.endsWith(".test.ts") && name !== "docs-sync.test.ts",
);

describe("docs/security.md and the attack suite stay in step", () => {
  it.each(suiteFiles)("docs/security.md links %s", (name) => {
    expect(doc).toContain(`](../packages/server/test/security/${name})`);
  });

  it("every test file docs/security.md links to exists", () => {
    const linked = [...doc.matchAll(/\]\(\.\.\/(packages\/server\/test\/[^)#]+)\)/g)].map(
      (match) => match[1]!,
    );
    expect(linked.length).toBeGreaterThan(10);
    for (const path of linked)
      expect(existsSync(new URL(`../../../../${path}`, import.meta.url)), path).toBe(true);
  });
});

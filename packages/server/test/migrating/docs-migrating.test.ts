/**
 * docs/migrating.md says only what is true: each of its diffs, applied to the seed's code as the
 * founding document wrote it (examples/migrating/seed-NNN/original), gives the migrated code the
 * other tests of this folder run (…/baton); every file the migration changes has its diff there;
 * and every seed variable its table names is read by Baton as the variable it names.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { optionsFromEnv } from "../../src/config/env.js";
import { applyFileDiff, parseUnifiedDiff, type FileDiff } from "./unified-diff.js";

const EXAMPLES = fileURLToPath(new URL("../../../../examples/migrating/", import.meta.url));
const GUIDE = fileURLToPath(new URL("../../../../docs/migrating.md", import.meta.url));
const guide = readFileSync(GUIDE, "utf8");
const read = (path: string) =>
  path === "/dev/null" ? "" : readFileSync(join(EXAMPLES, path), "utf8");

const diffs: FileDiff[] = [...guide.matchAll(/^```diff\n([\s\S]*?)^```$/gm)].flatMap((block) =>
  parseUnifiedDiff(block[1]!),
);

function filesUnder(root: string, dir = root): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

describe("docs/migrating.md", () => {
  it("has diffs", () => {
    expect(diffs.length).toBeGreaterThanOrEqual(8);
  });

  it.each(diffs.map((diff) => [`${diff.from} → ${diff.to}`, diff] as const))(
    "%s applies to the original and gives the migrated file",
    (_name, diff) => {
      expect(diff.from).toMatch(/^seed-\d{3}\/original\//);
      const after = applyFileDiff(read(diff.from), diff);
      if (diff.to === "/dev/null") {
        expect(after).toBe("");
        expect(existsSync(join(EXAMPLES, diff.from.replace("/original/", "/baton/")))).toBe(false);
      } else {
        expect(diff.to).toBe(diff.from.replace("/original/", "/baton/"));
        expect(after).toBe(read(diff.to));
      }
    },
  );

  it("shows every change the migration makes to a seed's files", () => {
    const shown = new Set(diffs.map((diff) => diff.from));
    const seeds = readdirSync(EXAMPLES).filter((name) => /^seed-\d{3}$/.test(name));
    expect(seeds).toEqual(["seed-000", "seed-001", "seed-002", "seed-003"]);
    for (const seed of seeds) {
      const original = filesUnder(join(EXAMPLES, seed, "original"));
      const migrated = filesUnder(join(EXAMPLES, seed, "baton"));
      expect(
        migrated.filter((file) => !original.includes(file)),
        `${seed}: files only in baton/`,
      ).toEqual([]);
      for (const file of original) {
        const from = `${seed}/original/${file}`;
        const changed = !migrated.includes(file) || read(from) !== read(`${seed}/baton/${file}`);
        expect(
          shown.has(from),
          `${from} ${changed ? "changes but has no diff" : "has a diff but does not change"}`,
        ).toBe(changed);
      }
    }
  });

  it("links only to files that exist", () => {
    for (const [, target] of guide.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)) {
      if (/^https?:/.test(target!)) continue;
      expect(
        existsSync(fileURLToPath(new URL(target!, new URL("../../../../docs/", import.meta.url)))),
        target,
      ).toBe(true);
    }
  });

  it("names seed variables Baton reads as the Baton variable next to them", () => {
    const rows = [...guide.matchAll(/^ {2}\| `([A-Z_]+)` \| [\d, ]+ \| `([A-Z_]+)` \|$/gm)];
    expect(rows.length).toBe(11);
    const values: Record<string, string> = {
      JWT_SECRET: "a-shared-signing-secret-0123456789abcdefghij",
      BATON_SECRET: "bWlncmF0aW9uLXRlc3Qtcm9vdC1zZWNyZXQtMDEyMzQ1",
      ACCESS_TOKEN_TTL: "10m",
      REFRESH_TOKEN_TTL: "14d",
      CORS_ORIGINS: "http://localhost:5173",
    };
    for (const [, seedName, batonName] of rows) {
      const value = values[batonName!];
      expect(value, `a value for ${batonName}`).toBeDefined();
      const fromSeed = optionsFromEnv({ [seedName!]: value });
      const fromBaton = optionsFromEnv({ [batonName!]: value });
      expect(fromSeed.problems).toEqual([]);
      expect(fromSeed.options, `${seedName} is read as ${batonName}`).toEqual(fromBaton.options);
      expect(fromSeed.options, `${seedName} is read at all`).not.toEqual(
        optionsFromEnv({}).options,
      );
    }
  });
});

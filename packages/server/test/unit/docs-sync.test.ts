import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERROR_STATUS } from "@baton/protocol";
import { allRoutes } from "../../src/http/routes/all-routes.js";
import { environmentVariables } from "../../src/config/env.js";
import { OPTIONS, SERVER_OPTIONS, entriesOf } from "../../src/config/option-table.js";

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

  // Issue 14 item 6: each option is described once, in config/option-table.ts; its row in
  // docs/configuration.md must say what the table says. Rows read
  // | `VARIABLE` (`option`) | aliases | default | allowed | meaning |, or | `option` | ... for
  // options only a program passes; the meaning opens with the table's one-line `doc`.
  const options = [...entriesOf(OPTIONS), ...entriesOf(SERVER_OPTIONS)];
  const rows = new Map(
    [...configuration.matchAll(/^\| `[^|]*`[^|]* \|.*\|$/gm)].map(([line]) => {
      const cells = line.replace(/^\|\s*|\s*\|$/g, "").split(/\s*\|\s*/);
      const key = /\(`([\w.]+)`\)$/.exec(cells[0]!)?.[1] ?? cells[0]!.replace(/`/g, "");
      return [key, cells] as const;
    }),
  );
  it("docs/configuration.md has a row for every option of the table, and for no other", () => {
    expect([...rows.keys()].sort()).toEqual(options.map(([key]) => key).sort());
  });
  it.each(options)("docs/configuration.md: %s as the table says", (key, { env, kind, doc }) => {
    const code = (name: string) => `\`${name}\``;
    const [first, aliases, fallback, allowed, meaning = ""] = rows.get(key) ?? [];
    expect({ first, aliases, fallback, allowed }).toEqual({
      first: env[0] === undefined ? code(key) : `${code(env[0])} (${code(key)})`,
      aliases: env.slice(1).map(code).join(", "),
      fallback: kind.defaultDoc,
      allowed: kind.allowedDoc,
    });
    expect(meaning.slice(0, doc.length)).toBe(doc);
  });
});

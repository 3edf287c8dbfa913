import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findCycles, readSources, type ImportEdge, type SourceFile } from "./import-graph.js";
import {
  KNOWN_VIOLATIONS,
  NOT_IN_CORE,
  PACKAGE_LAYERS,
  PACKAGES,
  type Layer,
  type PackageLayers,
} from "./layers.js";

// "Arrows point down only" (docs/architecture.md), checked on the imports of every package's
// src/: each module imports only from lower layers (layers.ts), and no file is part of a cycle.

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

interface Placed {
  module: string;
  layer: Layer;
  depth: number;
}

const sources = new Map(PACKAGES.map((pkg) => [pkg.name, readSources(ROOT, pkg.src)]));
const excused = (edge: ImportEdge) =>
  KNOWN_VIOLATIONS.some((known) => known.from === edge.from && known.to === edge.file);

/** The module (and layer) a file of the package belongs to: the longest entry that names it. */
function place(pkg: PackageLayers, file: string): Placed | undefined {
  const inSrc = file.slice(pkg.src.length + 1);
  let best: (Placed & { length: number }) | undefined;
  pkg.layers.forEach((layer, depth) => {
    for (const module of layer.modules) {
      const matches =
        module === "*" || (module.endsWith("/") ? inSrc.startsWith(module) : inSrc === module);
      const length = module === "*" ? 0 : module.length;
      if (matches && (best === undefined || length > best.length))
        best = { module, layer, depth, length };
    }
  });
  return best;
}

const where = (file: SourceFile, edge: ImportEdge) => `${file.path}:${edge.line}`;
const describeLayer = (placed: Placed) => `"${placed.layer.name}" (${placed.module})`;

describe.each(PACKAGES)("layering of $name", (pkg) => {
  const files = sources.get(pkg.name)!;

  it("every file has a place in the layer order", () => {
    const unplaced = files.filter((file) => place(pkg, file.path) === undefined);
    expect(
      unplaced.map(
        (file) => `${file.path} is in no layer: add its folder to ${pkg.name} in layers.ts`,
      ),
    ).toEqual([]);
  });

  it("imports point down only: never up, never sideways, never out of src/", () => {
    const problems: string[] = [];
    for (const file of files) {
      const from = place(pkg, file.path);
      if (from === undefined) continue;
      for (const edge of file.imports) {
        if (edge.file === undefined || excused(edge)) continue;
        if (!edge.file.startsWith(`${pkg.src}/`)) {
          problems.push(
            `${where(file, edge)} imports ${edge.specifier}: outside ${pkg.src}/ (import the package by name)`,
          );
          continue;
        }
        const to = place(pkg, edge.file);
        if (to === undefined || to.module === from.module) continue;
        if (to.depth < from.depth) {
          problems.push(
            `${where(file, edge)} imports ${edge.specifier}: UPWARD, from layer ${describeLayer(from)} to the higher layer ${describeLayer(to)} — ${to.layer.why}`,
          );
        } else if (to.depth === from.depth) {
          problems.push(
            `${where(file, edge)} imports ${edge.specifier}: SIDEWAYS, ${from.module} and ${to.module} are both in layer "${from.layer.name}", which keeps its modules independent: move one of them to another layer`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("no import cycles (type-only imports count)", () => {
    const edges = new Map(
      files.map((file) => [
        file.path,
        file.imports
          .filter((edge) => edge.file !== undefined && !excused(edge))
          .map((edge) => edge.file!),
      ]),
    );
    expect(
      findCycles(edges).map(
        ({ path, members }) =>
          `cycle: ${path.join(" → ")}` +
          (members.length > path.length - 1 ? ` (all in the cycle: ${members.join(", ")})` : ""),
      ),
    ).toEqual([]);
  });

  it("imports workspace packages below it only", () => {
    const own = PACKAGE_LAYERS.findIndex((layer) => layer.includes(pkg.name));
    const problems = files.flatMap((file) =>
      file.imports.flatMap((edge) => {
        if (edge.workspacePackage === undefined) return [];
        if (edge.workspacePackage === pkg.name)
          return [`${where(file, edge)} imports its own package by name: import the file`];
        const depth = PACKAGE_LAYERS.findIndex((layer) => layer.includes(edge.workspacePackage!));
        return depth > own
          ? []
          : [
              `${where(file, edge)} imports ${edge.specifier}: ${pkg.name} may use only ${PACKAGE_LAYERS.slice(
                own + 1,
              )
                .flat()
                .join(", ")}`,
            ];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("core layers use no HTTP framework, no database or network driver, and no process.env", () => {
    const problems: string[] = [];
    for (const file of files) {
      if (place(pkg, file.path)?.layer.core !== true) continue;
      for (const edge of file.imports)
        if (edge.external !== undefined && NOT_IN_CORE.includes(edge.external))
          problems.push(
            `${where(file, edge)} imports ${edge.external} in a core layer: adapters and drivers bring it`,
          );
      for (const line of file.processEnvLines)
        problems.push(
          `${file.path}:${line} reads process.env in a core layer: options arrive in the config`,
        );
    }
    expect(problems).toEqual([]);
  });
});

it("every known violation still occurs (once fixed, remove it from KNOWN_VIOLATIONS)", () => {
  const all = [...sources.values()].flat().flatMap((file) => file.imports);
  const stale = KNOWN_VIOLATIONS.filter(
    (known) => !all.some((edge) => edge.from === known.from && edge.file === known.to),
  );
  expect(stale.map((known) => `${known.from} no longer imports ${known.to}`)).toEqual([]);
});

it("docs/architecture.md draws the server's modules in the layer order", () => {
  const docs = readFileSync(`${ROOT}docs/architecture.md`, "utf8");
  const diagram = /```\n([\s\S]*?)```/.exec(docs)![1]!.split("\n");
  const server = PACKAGES.find((pkg) => pkg.name === "@baton/server")!;
  const lineOf = (module: string) => {
    const named = new RegExp(`(^|[^\\w/.-])${module.replace(/[.*]/g, "\\$&")}`);
    return diagram.findIndex((line) => named.test(line));
  };
  const problems: string[] = [];
  let above = { line: -1, module: "" };
  for (const layer of server.layers) {
    const lines = layer.modules.map((module) => ({ module, line: lineOf(module) }));
    for (const { module, line } of lines) {
      if (line === -1) problems.push(`the diagram does not name ${module} ("${layer.name}")`);
      else if (line < above.line)
        problems.push(
          `the diagram draws ${module} ("${layer.name}") above ${above.module}, which layers.ts puts higher`,
        );
    }
    const lowest = lines.reduce((low, named) => (named.line > low.line ? named : low), above);
    above = lowest;
  }
  expect(problems).toEqual([]);
});

import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { readSources } from "./import-graph.js";

// House style (STYLE.md, after jose and hono): `@example` blocks document the public API, where a
// reader arrives from an import; inside a package the comments say why, and an example there only
// repeats the code under it. Public means: reachable from a subpath the package.json `exports`,
// or a member of something that is.

const root = join(import.meta.dirname, "../../../..");
const PACKAGES = ["protocol", "verify", "client", "server"];

/** `./dist/react/index.js` → `packages/client/src/react/index.ts`, for every export of a package. */
function entryFiles(name: string): string[] {
  const manifest = JSON.parse(
    readFileSync(join(root, "packages", name, "package.json"), "utf8"),
  ) as { exports: Record<string, { default: string } | string> };
  // A plain string target (`"./package.json"`) is not code.
  const codeTargets = Object.values(manifest.exports).filter(
    (target): target is { default: string } => typeof target === "object",
  );
  return codeTargets.map((target) =>
    join(
      root,
      "packages",
      name,
      target.default.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"),
    ),
  );
}

function program(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.test.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  const files = PACKAGES.flatMap((name) =>
    readSources(root, `packages/${name}/src`).map((source) => join(root, source.path)),
  );
  // Only exports are followed, no type is checked: the standard library and @types stay out.
  return ts.createProgram(files, { ...config.options, noEmit: true, noLib: true, types: [] });
}

/** Every declaration an entry point exports, followed through re-exports. */
function publicDeclarations(prog: ts.Program): Set<ts.Node> {
  const checker = prog.getTypeChecker();
  const declarations = new Set<ts.Node>();
  for (const entry of PACKAGES.flatMap(entryFiles)) {
    const file = prog.getSourceFile(entry);
    const module = file && checker.getSymbolAtLocation(file);
    if (!module) throw new Error(`no entry point ${relative(root, entry)}`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const declaration of symbol.declarations ?? []) declarations.add(declaration);
    }
  }
  return declarations;
}

/** The top-level statement a documented node belongs to (a method → its class or interface). */
function topLevel(node: ts.Node): ts.Node {
  let current = node;
  while (current.parent && !ts.isSourceFile(current.parent)) current = current.parent;
  return current;
}

function isPublic(statement: ts.Node, declarations: Set<ts.Node>): boolean {
  if (ts.isVariableStatement(statement))
    return statement.declarationList.declarations.some((d) => declarations.has(d));
  return declarations.has(statement);
}

/** The `@example`s a node's own doc comment holds (not those of the statement around it). */
function ownExamples(node: ts.Node): boolean {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  return docs.some((doc) => doc.tags?.some((tag) => tag.tagName.text === "example"));
}

/** `file:line name` of every `@example` outside the public API. */
function examplesOnInternals(): string[] {
  const prog = program();
  const declarations = publicDeclarations(prog);
  const entries = new Set(PACKAGES.flatMap(entryFiles));
  const found: string[] = [];
  for (const file of prog.getRootFileNames()) {
    // An entry point's own comments introduce the package: public by definition.
    if (entries.has(file)) continue;
    const ast = prog.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (ownExamples(node) && !isPublic(topLevel(node), declarations)) {
        const line = ast.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        const named = ts.isVariableStatement(node) ? node.declarationList.declarations[0]! : node;
        const name = ts.getNameOfDeclaration(named as ts.Declaration)?.getText() ?? "";
        found.push(`${relative(root, file)}:${line} ${name}`.trim());
      }
      ts.forEachChild(node, visit);
    };
    visit(ast);
  }
  return found;
}

describe("@example blocks", () => {
  // A type-checked program of every package: about 10 s of CPU, longer beside another worker.
  it("stand only on public API: what a package's exports reach, and its members", () => {
    expect(examplesOnInternals()).toEqual([]);
  }, 120_000);
});

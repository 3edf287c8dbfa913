import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** One `import`/`export … from`/`import()` of a source file, as written and as resolved. */
export interface ImportEdge {
  /** The importing file, relative to the repository root. */
  from: string;
  /** What the file wrote: `../core.js`, `@baton/protocol`, `node:crypto`. */
  specifier: string;
  /** A relative import: the file it names, relative to the repository root. */
  file?: string;
  /** A workspace package (`@baton/protocol`, also for `@baton/client/react`). */
  workspacePackage?: string;
  /** Any other package (`fastify`, `node:crypto`): its name. */
  external?: string;
  /** 1-based line of the import, for the report. */
  line: number;
}

export interface SourceFile {
  /** Relative to the repository root. */
  path: string;
  imports: ImportEdge[];
  /** 1-based lines where `process.env` is read. */
  processEnvLines: number[];
  ast: ts.SourceFile;
}

/** Every `.ts`/`.tsx` file under `srcDir` (relative to `root`), parsed. */
export function readSources(root: string, srcDir: string): SourceFile[] {
  return listFiles(join(root, srcDir)).map((absolute) => parse(root, absolute));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return listFiles(path);
      return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
    })
    .sort();
}

function parse(root: string, absolute: string): SourceFile {
  const text = readFileSync(absolute, "utf8");
  const ast = ts.createSourceFile(absolute, text, ts.ScriptTarget.Latest, true);
  const path = relative(root, absolute);
  const imports: ImportEdge[] = [];
  const processEnvLines: number[] = [];
  const lineOf = (node: ts.Node) => ast.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node): void => {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node))
      specifier = node.moduleSpecifier;
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      specifier = node.arguments[0];
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      specifier = node.argument.literal;
    if (specifier !== undefined && ts.isStringLiteralLike(specifier))
      imports.push(resolveImport(root, absolute, path, specifier.text, lineOf(node)));
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === "env" &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "process"
    )
      processEnvLines.push(lineOf(node));
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return { path, imports, processEnvLines, ast };
}

function resolveImport(
  root: string,
  absolute: string,
  from: string,
  specifier: string,
  line: number,
): ImportEdge {
  if (specifier.startsWith(".")) {
    const target = resolve(dirname(absolute), specifier);
    // NodeNext: sources import `./x.js` for `./x.ts` (or `.tsx`).
    const candidates = [target.replace(/\.js$/, ".ts"), target.replace(/\.js$/, ".tsx"), target];
    const found = candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
    return { from, specifier, file: relative(root, found), line };
  }
  const workspace = /^(@baton\/[^/]+)/.exec(specifier);
  if (workspace) return { from, specifier, workspacePackage: workspace[1]!, line };
  const name = specifier.startsWith("@")
    ? specifier.split("/").slice(0, 2).join("/")
    : specifier.split("/")[0]!;
  return { from, specifier, external: name, line };
}

/** Files that import each other, directly or not: one shortest cycle, and every file involved. */
export interface Cycle {
  path: string[];
  members: string[];
}

/** The import cycles of a graph: one per strongly connected component (Tarjan's algorithm). */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): Cycle[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const target of edges.get(file) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = edges.get(file)?.includes(file) ?? false;
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const file of [...edges.keys()].sort()) if (!index.has(file)) connect(file);
  return components.map((component) => ({
    path: cyclePath(edges, new Set(component)),
    members: component.sort(),
  }));
}

/** One concrete cycle through a strongly connected component, for a readable report. */
function cyclePath(edges: ReadonlyMap<string, readonly string[]>, members: Set<string>): string[] {
  const start = [...members].sort()[0]!;
  // Breadth-first from the start back to it, inside the component: the shortest cycle through it.
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of edges.get(file) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

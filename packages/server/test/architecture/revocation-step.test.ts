import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { readSources } from "./import-graph.js";

// "Every revocation is announced and audited" holds by construction: the store methods that
// revoke are called only from the `change` of a revocation step (revocation/revoke.ts), which
// then announces and audits. This test finds every call of such a method in the server's
// sources and fails on one made anywhere else.

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const STORE_INTERFACE = "packages/server/src/store/store.ts";

/**
 * The revoking methods, read from the Store interface itself: those that take a
 * `RevocationStamp` (or a type extending it), so a new one is covered without editing this test.
 */
function revokingMethods(): string[] {
  const source = ts.createSourceFile(
    STORE_INTERFACE,
    readFileSync(`${ROOT}${STORE_INTERFACE}`, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const interfaces = source.statements.filter(ts.isInterfaceDeclaration);
  const stampTypes = new Set(["RevocationStamp"]);
  for (const declaration of interfaces)
    if (
      declaration.heritageClauses?.some((clause) =>
        clause.types.some((type) => type.expression.getText() === "RevocationStamp"),
      )
    )
      stampTypes.add(declaration.name.text);
  const mentionsStamp = (type: ts.TypeNode | undefined): boolean => {
    let found = false;
    const visit = (node: ts.Node) => {
      if (ts.isTypeReferenceNode(node) && stampTypes.has(node.typeName.getText())) found = true;
      ts.forEachChild(node, visit);
    };
    if (type !== undefined) visit(type);
    return found;
  };
  return interfaces.flatMap((declaration) =>
    declaration.members
      .filter(ts.isMethodSignature)
      .filter((method) => method.parameters.some((parameter) => mentionsStamp(parameter.type)))
      .map((method) => method.name.getText()),
  );
}

/** Whether `node` sits in the `change` of an object passed to `revoke(…)`. */
function insideRevocationStep(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node; at !== undefined; at = at.parent) {
    let property: { name: ts.PropertyName; literal: ts.Node } | undefined;
    if (ts.isMethodDeclaration(at)) property = { name: at.name, literal: at.parent };
    else if (
      (ts.isArrowFunction(at) || ts.isFunctionExpression(at)) &&
      ts.isPropertyAssignment(at.parent)
    )
      property = { name: at.parent.name, literal: at.parent.parent };
    const call = property?.literal.parent;
    if (
      property?.name.getText() === "change" &&
      call !== undefined &&
      ts.isCallExpression(call) &&
      ts.isIdentifier(call.expression) &&
      call.expression.text === "revoke"
    )
      return true;
  }
  return false;
}

describe("the revocation step", () => {
  const methods = revokingMethods();

  it("finds the revoking store methods in the Store interface", () => {
    expect(methods.sort()).toEqual(
      [
        "changePassword",
        "deleteUser",
        "resetPassword",
        "restoreEmail",
        "revokeSession",
        "revokeUserSessions",
        "revokeUserSessionsByAccountToken",
        "setUserRoles",
      ].sort(),
    );
  });

  it("is the only way the server's code calls them: each call is the `change` of revoke(…)", () => {
    const problems: string[] = [];
    // The stores implement these methods; the conformance suite calls them to test them.
    const sources = readSources(ROOT, "packages/server/src").filter(
      (file) => !/^packages\/server\/src\/(store|testing)\//.test(file.path),
    );
    for (const { path, ast } of sources) {
      const visit = (node: ts.Node) => {
        if (
          ts.isCallExpression(node) &&
          ts.isPropertyAccessExpression(node.expression) &&
          methods.includes(node.expression.name.text) &&
          /store$/i.test(node.expression.expression.getText()) &&
          !insideRevocationStep(node)
        ) {
          const line = ast.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          problems.push(
            `${path}:${line} calls ${node.expression.getText()} outside a revocation step: wrap it in revoke() (revocation/revoke.ts) so it is announced and audited`,
          );
        }
        ts.forEachChild(node, visit);
      };
      visit(ast);
    }
    expect(problems).toEqual([]);
  });
});

import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { readSources } from "../architecture/import-graph.js";

// The audit event types are public (`AuditEventType`, and operators filter logs by them): a type
// that nothing emits promises a record that never comes. `refresh.failed` was one.

const root = join(import.meta.dirname, "../../../..");
const sources = readSources(root, "packages/server/src");

function declaredTypes(): string[] {
  const auditLog = sources.find((source) => source.path.endsWith("src/audit/audit-log.ts"))!;
  const declared: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTypeAliasDeclaration(node) && node.name.text === "AuditEventType") {
      node.type.forEachChild((member) => {
        if (ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal))
          declared.push(member.literal.text);
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(auditLog.ast);
  return declared;
}

/** Types written where an event is made: `audit.record("x", …)`, `audit.event("x", …)`, `type: "x"`. */
function emittedTypes(): Set<string> {
  const emitted = new Set<string>();
  for (const { ast } of sources) {
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        ["record", "event"].includes(node.expression.name.text) &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      )
        emitted.add(node.arguments[0].text);
      if (
        ts.isPropertyAssignment(node) &&
        ts.isIdentifier(node.name) &&
        node.name.text === "type" &&
        ts.isStringLiteral(node.initializer)
      )
        emitted.add(node.initializer.text);
      ts.forEachChild(node, visit);
    };
    visit(ast);
  }
  return emitted;
}

describe("audit event types", () => {
  it("each one declared in AuditEventType is emitted somewhere in the server", () => {
    const emitted = emittedTypes();
    const declared = declaredTypes();
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.filter((type) => !emitted.has(type))).toEqual([]);
  });
});

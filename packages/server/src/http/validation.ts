import type { TSchema } from "@sinclair/typebox";
import { Ajv, type ErrorObject } from "ajv";
import { AuthError } from "../errors.js";

// No coercion, no defaults, no silent removal: input is exactly what the schema says or refused.
// `verbose` keeps the failing schema on each error, so a pattern is explained in words.
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  allErrors: false,
  strict: false,
  verbose: true,
});

export type Validator = (value: unknown) => void;

/** Compiles a schema once; the validator throws VALIDATION_FAILED naming the offending input. */
export function compileValidator(schema: TSchema, where: "body" | "params" | "query"): Validator {
  const check = ajv.compile(schema);
  return (value) => {
    if (check(value)) return;
    const details = (check.errors ?? []).map((error) => describe(error, where));
    const first = details[0];
    throw new AuthError(
      "VALIDATION_FAILED",
      first ? `${where}${first.path} ${first.message}` : `Invalid ${where}`,
      { details },
    );
  };
}

function describe(error: ErrorObject, where: string): { path: string; message: string } {
  const extra = (error.params as { additionalProperty?: string }).additionalProperty;
  const path = extra === undefined ? error.instancePath : `${error.instancePath}/${extra}`;
  const message =
    extra !== undefined
      ? notAccepted(error)
      : error.keyword === "pattern"
        ? describePattern(error)
        : (error.message ?? "is invalid");
  return {
    path: path === "" && where === "body" ? "" : path,
    message:
      path === "" && where === "body" && error.keyword === "type" ? `body ${message}` : message,
  };
}

/**
 * Says what the object takes instead, so a client written for another backend (a sign-up form
 * sending `bio`, say) learns what to change from the answer alone.
 */
function notAccepted(error: ErrorObject): string {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)
    ?.properties;
  const names = properties === undefined ? [] : Object.keys(properties);
  return names.length === 0
    ? "is not an accepted field"
    : `is not an accepted field (accepted: ${names.join(", ")})`;
}

/** A pattern is no message for a person: its schema's description says what it accepts. */
function describePattern(error: ErrorObject): string {
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof description === "string"
    ? `must be ${description}`
    : (error.message ?? "is invalid");
}

import type { TSchema } from "@sinclair/typebox";
import { Ajv, type ErrorObject } from "ajv";
import { AuthError } from "../errors.js";

// No coercion, no defaults, no silent removal: input is exactly what the schema says or refused.
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  allErrors: false,
  strict: false,
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
    extra === undefined ? (error.message ?? "is invalid") : "is not an accepted field";
  return {
    path: path === "" && where === "body" ? "" : path,
    message:
      path === "" && where === "body" && error.keyword === "type" ? `body ${message}` : message,
  };
}

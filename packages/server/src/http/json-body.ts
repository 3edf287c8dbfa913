import secureJson from "secure-json-parse";
import { AuthError } from "../errors.js";

/**
 * Parses a JSON body. Empty means "no body" (a bare POST /refresh with a JSON content type is
 * normal). `__proto__` and `constructor.prototype` keys are refused outright: no prototype
 * pollution can come through a Baton endpoint.
 */
export function parseJsonBody(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return secureJson.parse(text, undefined, {
      protoAction: "error",
      constructorAction: "error",
    }) as unknown;
  } catch {
    throw new AuthError("VALIDATION_FAILED", "Body is not valid JSON", {
      details: [{ path: "", message: "not valid JSON" }],
    });
  }
}

import secureJson from "secure-json-parse";
import { AuthError } from "../errors.js";

/**
 * A lone surrogate (`"\ud800"`), or U+FFFD, which is what the adapters' UTF-8 decoding puts in
 * place of invalid bytes. Either way the text is not the one the client meant, and accepting it
 * lets different inputs collide: `"pw\ud800"`, `"pw\udbff"` and the bytes `pw\xff` would all hash
 * as the same password (RFC 8259 §8.1–8.2, RFC 8725 §3.7).
 */
const ILL_FORMED = /\p{Cs}|\uFFFD/u;

/**
 * Parses a JSON body. Empty means "no body" (a bare POST /refresh with a JSON content type is
 * normal). `__proto__` and `constructor.prototype` keys are refused outright: no prototype
 * pollution can come through a Baton endpoint. Strings and keys must be well-formed Unicode.
 */
export function parseJsonBody(text: string | undefined): unknown {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    return secureJson.parse(text, refuseIllFormed, {
      protoAction: "error",
      constructorAction: "error",
    }) as unknown;
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw new AuthError("VALIDATION_FAILED", "Body is not valid JSON", {
      details: [{ path: "", message: "not valid JSON" }],
    });
  }
}

function refuseIllFormed(key: string, value: unknown): unknown {
  if (ILL_FORMED.test(key) || (typeof value === "string" && ILL_FORMED.test(value))) {
    throw new AuthError("VALIDATION_FAILED", "Body is not valid UTF-8 text", {
      details: [{ path: "", message: "not valid UTF-8 (invalid bytes or a lone surrogate)" }],
    });
  }
  return value;
}

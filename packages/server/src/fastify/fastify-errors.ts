import { AuthError } from "../errors.js";

/**
 * Errors Fastify raises before a handler runs (body too large, unsupported or malformed body,
 * bad headers), as Baton's stable codes: a client mistake is a 4xx with a code, never a 500.
 */
export function fromFastifyError(error: unknown, bodyLimit: number): unknown {
  const { code, statusCode } = (error ?? {}) as { code?: string; statusCode?: number };
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new AuthError("PAYLOAD_TOO_LARGE", `Body larger than ${bodyLimit} bytes`);
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    return new AuthError("UNSUPPORTED_MEDIA_TYPE", "Unsupported Content-Type");
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500)
    return new AuthError("VALIDATION_FAILED", "Malformed request");
  return error;
}

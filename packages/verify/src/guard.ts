import type { ErrorBody } from "@baton/protocol";
import type { AuthInfo, Verifier } from "./create-verifier.js";
import { VerifyError } from "./verify-error.js";

/** What a guard answers instead of letting the request through. */
export interface GuardReply {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** Seconds a client should wait when Baton's keys cannot be fetched. */
const UNAVAILABLE_RETRY_AFTER = 5;

/**
 * The check both framework guards run: verify the Bearer token, then the roles. Resolves with
 * the caller, or with the reply to send (shaped exactly like Baton's own errors). Errors that
 * are not a VerifyError (bugs) are thrown to the framework's error handler.
 */
export async function check(
  verifier: Verifier,
  roles: readonly string[],
  authorization: string | undefined,
  authorizationCount: number,
): Promise<{ auth: AuthInfo } | { reply: GuardReply }> {
  try {
    // Several Authorization headers are ambiguous (Node keeps only the first): refuse, as Baton does.
    if (authorizationCount > 1)
      throw new VerifyError("TOKEN_INVALID", "More than one Authorization header");
    const auth = await verifier.authenticate(authorization);
    if (roles.length > 0 && !roles.some((role) => auth.roles.includes(role)))
      throw new VerifyError("FORBIDDEN", `Requires role ${roles.join(" or ")}`);
    return { auth };
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return { reply: errorReply(error) };
  }
}

export function errorReply(error: VerifyError): GuardReply {
  const headers: Record<string, string> = {
    "cache-control": "no-store",
    "content-type": "application/json; charset=utf-8",
  };
  // RFC 6750 §3: a challenge on every 401; error="invalid_token" unless credentials were absent.
  if (error.code === "TOKEN_MISSING") headers["www-authenticate"] = 'Bearer realm="baton"';
  else if (error.status === 401)
    headers["www-authenticate"] =
      `Bearer realm="baton", error="invalid_token", error_description="${error.message.replace(/["\\]/g, "")}"`;
  if (error.code === "UNAVAILABLE") headers["retry-after"] = String(UNAVAILABLE_RETRY_AFTER);
  return {
    status: error.status,
    headers,
    body: { error: { code: error.code, message: error.message } },
  };
}

/** How many times a header occurs in Node's raw header list. */
export function countHeader(rawHeaders: readonly string[] | undefined, name: string): number {
  let count = 0;
  for (let i = 0; i < (rawHeaders?.length ?? 0); i += 2)
    if (rawHeaders?.[i]?.toLowerCase() === name) count++;
  return count;
}

/** First value of a header that Node may present as a list. */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The caller a guard let through.
 *
 * @example
 * app.get("/notes", { preHandler: verifier.fastify() }, (request) => notesOf(authOf(request).userId));
 */
export function authOf(request: object): AuthInfo {
  const auth = (request as { auth?: AuthInfo }).auth;
  if (auth === undefined)
    throw new TypeError(
      "authOf: no verified caller on this request; is the guard mounted before this handler?",
    );
  return auth;
}

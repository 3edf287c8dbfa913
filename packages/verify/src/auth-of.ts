import type { AuthInfo } from "./kernel/index.js";

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

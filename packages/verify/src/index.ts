/**
 * @baton/verify — verify Baton access tokens in any Node service from Baton's JWKS: no call to
 * Baton per request, no database, no dependency on the server.
 *
 * @example
 * import { authOf, createVerifier } from "@baton/verify";
 * const verifier = createVerifier({
 *   jwksUrl: "https://auth.example.com/.well-known/jwks.json",
 *   issuer: "baton",
 *   audience: "baton",
 * });
 * fastify.get("/notes", { preHandler: verifier.fastify() }, (request) => authOf(request).userId);
 * expressApp.get("/admin", verifier.express({ roles: ["admin"] }), (req, res) => res.json(authOf(req)));
 */
export { createVerifier } from "./create-verifier.js";
export type { GuardOptions, Verifier, VerifierOptions } from "./create-verifier.js";
export { VerifyError } from "./kernel/verify-error.js";
export type { VerifyErrorCode } from "./kernel/verify-error.js";
export type { AuthInfo } from "./kernel/access-token-claims.js";
export { authOf } from "./auth-of.js";
export type { KeySetOptions } from "./key-set.js";
export type { FastifyGuard, FastifyLikeReply, FastifyLikeRequest } from "./fastify-guard.js";
export type { ExpressGuard } from "./express-guard.js";
export type { AccessTokenClaims } from "@baton/protocol";

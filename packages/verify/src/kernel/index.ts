/**
 * @baton/verify/kernel — what a valid Baton access token is, written once: the shape precheck,
 * the jose option set with the algorithm pinned per key, the iat check, claims → AuthInfo, the
 * Bearer header rules and the headers of an error reply. @baton/server and the root export of
 * @baton/verify are both built on it; resource servers use the root export.
 */
export { PUBLISHED_ALGORITHMS } from "./algorithms.js";
export type { PublishedAlgorithm } from "./algorithms.js";
export { AccessTokenVerifier } from "./access-token-verifier.js";
export type { AccessTokenRules, KeyResolver, VerificationKey } from "./access-token-verifier.js";
export { MAX_ACCESS_TOKEN_LENGTH, isWellFormedAccessToken } from "./access-token-shape.js";
export { isCanonicalBase64url } from "./canonical-base64url.js";
export {
  authInfoOf,
  missingRole,
  parseAccessTokenClaims,
  refusalOf,
} from "./access-token-claims.js";
export type { AuthInfo, GuardRequirement } from "./access-token-claims.js";
export { bearerCandidate, countHeader, firstHeaderValue, readBearerToken } from "./bearer.js";
export { UNAVAILABLE_RETRY_AFTER_SECONDS, errorHeaders } from "./error-headers.js";
export { VerifiedTokenCache } from "./verified-token-cache.js";
export { VerifyError } from "./verify-error.js";
export type { VerifyErrorCode } from "./verify-error.js";

/**
 * The algorithms of the keys Baton publishes in its JWKS (its key ring): EdDSA (Ed25519), ES256
 * (P-256) and RS256 (RSA ≥ 2048 bits). A verifier accepts these and no other, and each key only
 * with its own. HS256 keys are never published.
 */
export const PUBLISHED_ALGORITHMS = ["EdDSA", "ES256", "RS256"] as const;
export type PublishedAlgorithm = (typeof PUBLISHED_ALGORITHMS)[number];

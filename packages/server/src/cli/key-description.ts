/** How the CLI names a signing key's algorithm: the curve or modulus people look for. */
export function keyDescription(alg: string): string {
  return KEY_DESCRIPTIONS[alg] ?? alg;
}

const KEY_DESCRIPTIONS: Record<string, string> = {
  EdDSA: "Ed25519",
  ES256: "ES256, P-256",
  RS256: "RS256, RSA 2048",
};

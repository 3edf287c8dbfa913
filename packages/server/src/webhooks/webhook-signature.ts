import { createHmac } from "node:crypto";

/** The header that carries the signature. */
export const SIGNATURE_HEADER = "Baton-Signature";

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, Stripe's scheme: the timestamp is
 * signed with the body, so a receiver that refuses old timestamps (5 minutes) cannot be fed a
 * captured request again later, and `v1` names the scheme so a new one can be added beside it.
 */
export function webhookSignature(secret: string, body: string, atMs: number): string {
  const t = Math.floor(atMs / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

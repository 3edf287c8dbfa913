import type { AccessTokenClaims, ErrorBody } from "@baton/protocol";
import {
  authInfoOf,
  errorHeaders,
  readBearerToken,
  refusalOf,
  VerifyError,
  type AuthInfo,
  type GuardRequirement,
} from "./kernel/index.js";

/** What a guard answers instead of letting the request through. */
export interface GuardReply {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** The verification a guard runs on the Bearer token (the verifier's `verify`). */
export type VerifyToken = (token: string) => Promise<AccessTokenClaims>;

/**
 * The check both framework guards run: read the one Bearer token, verify it, then the roles and
 * the verified address when required.
 * Resolves with the caller, or with the reply to send (shaped exactly like Baton's own errors).
 * Errors that are not a VerifyError (bugs) are thrown to the framework's error handler.
 */
export async function check(
  verify: VerifyToken,
  requirement: GuardRequirement,
  authorization: string | undefined,
  authorizationCount: number,
): Promise<{ auth: AuthInfo } | { reply: GuardReply }> {
  try {
    const auth = authInfoOf(await verify(readBearerToken(authorization, authorizationCount)));
    const refusal = refusalOf(auth, requirement);
    if (refusal !== undefined) throw new VerifyError(refusal.code, refusal.message);
    return { auth };
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return { reply: guardReply(error) };
  }
}

function guardReply(error: VerifyError): GuardReply {
  return {
    status: error.status,
    headers: {
      ...errorHeaders(error.code, error.message),
      "content-type": "application/json; charset=utf-8",
    },
    body: { error: { code: error.code, message: error.message } },
  };
}

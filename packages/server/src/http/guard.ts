import { refusalOf, type GuardRequirement } from "@baton/verify/kernel";
import type { AuthInfo, Core } from "../core.js";
import { AuthError } from "../errors.js";
import { authenticateNow } from "../sessions/authenticate.js";
import { errorReply } from "./error-reply.js";
import type { HttpReply } from "./route.js";

/** What a guard does with a request: let the caller through, or send this reply. */
export type GuardResult = { auth: AuthInfo } | { reply: HttpReply };

/**
 * The check every framework's guard runs (the shape of @baton/verify's guards): verify the
 * Bearer token, then the roles and the verified address when required. A token seen before is answered synchronously: no promise (or
 * closure) on the hot path. Every failure, bugs included, becomes the reply to send.
 */
export function checkGuard(
  core: Core,
  requirement: GuardRequirement,
  authorization: string | undefined,
  authorizationCount: number,
): GuardResult | Promise<GuardResult> {
  try {
    const auth = authenticateNow(core, authorization, authorizationCount);
    if (!(auth instanceof Promise)) return admit(core, requirement, auth);
    return auth.then(
      (value) => admit(core, requirement, value),
      (error: unknown) => ({ reply: errorReply(error, core.logger) }),
    );
  } catch (error) {
    return { reply: errorReply(error, core.logger) };
  }
}

function admit(core: Core, requirement: GuardRequirement, auth: AuthInfo): GuardResult {
  const refusal = refusalOf(auth, requirement);
  if (refusal === undefined) return { auth };
  return { reply: errorReply(new AuthError(refusal.code, refusal.message), core.logger) };
}

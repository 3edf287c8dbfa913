import type { RequestMeta } from "../audit/audit-log.js";
import type { Core } from "../core.js";
import { AuthError } from "../errors.js";
import type { SessionRecord, UserRecord } from "../store/store.js";

/**
 * Checks the current password a signed-in user typed to confirm a sensitive change (a new
 * password, a new email address). Paid from this session's own budget, never the login lockout:
 * other people's guesses at the login cannot block the owner here, and a stolen access token
 * gets only a few tries. INVALID_CREDENTIALS when wrong, RATE_LIMITED when the budget is spent.
 */
export async function verifyCurrentPassword(
  core: Core,
  account: { user: UserRecord; session: SessionRecord },
  password: string,
  meta: RequestMeta,
  during: string,
): Promise<void> {
  const { user, session } = account;
  const reservation = await core.loginThrottle.reservePasswordCheck(session.id);
  if (!reservation.granted) {
    await core.audit.record("login.locked", meta, {
      userId: user.id,
      sessionId: session.id,
      detail: { during, budget: reservation.budget },
    });
    throw new AuthError("RATE_LIMITED", "Too many wrong current passwords; try again later", {
      retryAfter: reservation.retryAfterSeconds,
    });
  }
  let wrongGuess = false;
  try {
    if (!(await core.passwords.verify(user.passwordHash, password))) {
      wrongGuess = true;
      await core.audit.record("login.failed", meta, {
        userId: user.id,
        sessionId: session.id,
        detail: { during },
      });
      throw new AuthError("INVALID_CREDENTIALS", "Current password is incorrect");
    }
  } finally {
    if (!wrongGuess) await reservation.release();
  }
}

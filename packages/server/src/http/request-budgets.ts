import type { AuthInfo, Core } from "../core.js";
import { AuthError } from "../errors.js";
import { rateLimitKey } from "../rate-limit/client-address.js";
import type { HttpRequest, Route } from "./route.js";

const MINUTE_MS = 60_000;

/** What a request admitted by {@link RequestBudgets.admit} reports back once its fate is known. */
export interface Admission {
  /** The request was refused before a caller was established (any error on a public route). */
  refused(): Promise<void>;
  /** The answer was a success (status below 400). */
  succeeded(): Promise<void>;
}

const NOTHING: Admission = {
  refused: () => Promise.resolve(),
  succeeded: () => Promise.resolve(),
};

/**
 * Which budget a request to a rate-limited auth route spends (issue 13 item 5). Keyed by what
 * the request proves, so that neither a busy single-page app nor an office behind one NAT
 * address ever meets a limit meant for abuse:
 *
 * - **A signed-in caller** (a Bearer route whose token verified) spends its *session's* budget,
 *   `SESSION_RATE_LIMIT` per minute, shared by the tabs of one browser and by nobody else.
 * - **Per client address** (`AUTH_RATE_LIMIT` per minute, IPv6 by network) only what is
 *   *refused* is counted: a wrong password, a dead refresh token, a Bearer token that does not
 *   verify, invalid input. Hundreds of users signing in and refreshing from one address spend
 *   nothing; a credential-stuffing or token-spraying client (almost only refusals) is stopped.
 *   - Routes that take a password (`passwordEntry`: login, register) take the unit *before* any
 *     work, since every attempt costs a password hash (reserve, then settle: a burst of any size
 *     gets at most the budget through); a successful sign-in gives it back, a registration keeps
 *     it (each success creates an account).
 *   - Every other route counts a refusal after the fact and answers 429 once the address is
 *     over budget. A spent address therefore never blocks a request that proves a session (a
 *     refresh token or a Bearer token only its holder has): a stuffer on an office NAT does not
 *     stop its neighbours' refreshes.
 *
 * Guessing itself is bounded separately and more tightly by the login throttle (per account,
 * device, address and session; rate-limit/login-throttle.ts).
 */
export class RequestBudgets {
  constructor(private readonly core: Core) {}

  /** Called before any work: a password route takes the address's unit or answers 429. */
  async admit(route: Route, request: HttpRequest): Promise<Admission> {
    const limit = this.core.config.authRateLimit;
    if (!route.rateLimited || limit === 0) return NOTHING;
    const key = `auth:${rateLimitKey(request.ip, this.core.config.rateLimitIpv6Prefix)}`;
    if (route.passwordEntry === undefined) {
      return {
        refused: async () => {
          const window = await this.core.rateLimiter.hit(key, MINUTE_MS);
          if (window.count > limit) this.refuse(window.resetAt, "from this address");
        },
        succeeded: () => Promise.resolve(),
      };
    }
    const reservation = await this.core.rateLimiter.reserve([{ key, limit, windowMs: MINUTE_MS }]);
    if (!reservation.granted) this.refuse(reservation.resetAt, "from this address");
    if (route.passwordEntry === "sign-up") return NOTHING;
    return {
      refused: () => Promise.resolve(),
      // A unit that cannot be given back (Redis gone) stays spent until its window ends: never
      // fail a request that already succeeded.
      succeeded: () => this.core.rateLimiter.release([key]).catch(() => undefined),
    };
  }

  /** A signed-in caller of a rate-limited Bearer route: spends its session's budget or is 429. */
  async admitSession(route: Route, auth: AuthInfo): Promise<void> {
    const limit = this.core.config.sessionRateLimit;
    if (!route.rateLimited || limit === 0) return;
    const window = await this.core.rateLimiter.hit(`session:${auth.sessionId}`, MINUTE_MS);
    if (window.count > limit) this.refuse(window.resetAt, "for this session");
  }

  private refuse(resetAt: number, whose: string): never {
    throw new AuthError("RATE_LIMITED", `Too many requests ${whose}; slow down`, {
      retryAfter: Math.max(1, Math.ceil((resetAt - this.core.clock.now()) / 1000)),
    });
  }
}

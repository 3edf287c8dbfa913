import type { Clock } from "../clock.js";
import { rateLimitKey } from "./client-address.js";
import { DeviceTokens, type DeviceHolder } from "./device-token.js";
import type { Budget, RateLimiter } from "./rate-limiter.js";

const NOBODY: DeviceHolder = { id: "", passwordHash: "" };

export interface LoginThrottleSettings {
  /** Wrong passwords per budget and window: per account from unknown clients, per device, per session. */
  maxFailures: number;
  /** Wrong passwords per client address (IPv6: per network of `ipv6PrefixBits`). */
  maxFailuresPerAddress: number;
  windowMs: number;
  ipv6PrefixBits: number;
}

/** Which budget a password check was paid from, or which one was spent (for the audit log). */
export type GuessBudget = "device" | "account" | "address" | "session";

export type GuessReservation =
  | {
      granted: true;
      budget: GuessBudget;
      /** The check turned out not to be a wrong guess (right password, or never completed). */
      release(): Promise<void>;
    }
  | { granted: false; budget: GuessBudget; retryAfterSeconds: number };

/**
 * Budgets of password guesses (OWASP ASVS 2.2.1; OWASP "Slow Down Online Guessing Attacks with
 * Device Cookies"). Every check is paid for *before* the password hash runs (reserve, then
 * settle): a wrong guess keeps its unit, a right one gives it back. So a burst of any size gets
 * at most the budget evaluated, on one instance or many sharing Redis.
 *
 * - A login from a browser holding a valid device token for the account (it signed in before)
 *   spends that device's own budget, and nothing else: the owner's known browsers cannot be
 *   locked out by anyone else's guesses.
 * - Every other login attempt for the account (new browsers, native clients, attackers) spends
 *   the account's shared budget, and its client address's budget (so one address stuffing many
 *   accounts is stopped too). Budgets exist for unknown emails as well: a lockout reveals nothing.
 * - A signed-in user's check of the current password (password change) spends its session's own
 *   budget: the login lockout never blocks it, and a stolen access token cannot turn it into a
 *   password oracle.
 */
export class LoginThrottle {
  private readonly devices: DeviceTokens;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: LoginThrottleSettings,
    private readonly clock: Clock,
    deviceKey: Buffer,
  ) {
    this.devices = new DeviceTokens(deviceKey);
  }

  /** Pays for one login password check, from the budget this client is entitled to. */
  async reserveLogin(attempt: {
    email: string;
    /** The account, when the email names one. */
    holder: DeviceHolder | null;
    address: string | null;
    /** Values of the device cookie the request carried (several when one was tossed in). */
    deviceTokens: readonly string[];
  }): Promise<GuessReservation> {
    const { maxFailures, maxFailuresPerAddress, windowMs, ipv6PrefixBits } = this.settings;
    // Checked against a stand-in when the email names no account, so that the time taken does
    // not tell which emails have one (OWASP WSTG-IDNT-04); no entry can be valid for it.
    const device = this.devices.deviceOf(attempt.deviceTokens, attempt.holder ?? NOBODY);
    if (device !== null && attempt.holder !== null)
      return this.reserve({
        device: { key: `login:device:${device}`, limit: maxFailures, windowMs },
      });
    return this.reserve({
      account: { key: `login:account:${attempt.email}`, limit: maxFailures, windowMs },
      address: {
        key: `login:address:${rateLimitKey(attempt.address, ipv6PrefixBits)}`,
        limit: maxFailuresPerAddress,
        windowMs,
      },
    });
  }

  /** Pays for one check of a signed-in user's current password, from its session's budget. */
  reservePasswordCheck(sessionId: string): Promise<GuessReservation> {
    const { maxFailures, windowMs } = this.settings;
    return this.reserve({
      session: { key: `password-check:session:${sessionId}`, limit: maxFailures, windowMs },
    });
  }

  /**
   * Whether the device cookie shows this browser signed in to `holder` before, with the current
   * password (device tokens are bound to it): the new-device alert's rule.
   */
  isKnownDevice(presented: readonly string[], holder: DeviceHolder): boolean {
    return this.devices.deviceOf(presented, holder) !== null;
  }

  /** The device token for a browser that just proved the password of `holder`. */
  deviceToken(presented: readonly string[], holder: DeviceHolder): string {
    return this.devices.issue(presented, holder);
  }

  /** Takes a unit from every named budget (or none); the first name is the one paid from. */
  private async reserve(named: Partial<Record<GuessBudget, Budget>>): Promise<GuessReservation> {
    const entries = Object.entries(named) as [GuessBudget, Budget][];
    const budgets = entries.map(([, budget]) => budget);
    const reservation = await this.limiter.reserve(budgets);
    if (!reservation.granted) {
      const spent = entries.find(([, budget]) => budget === reservation.spent)?.[0];
      return {
        granted: false,
        budget: spent ?? entries[0]![0],
        retryAfterSeconds: Math.max(1, Math.ceil((reservation.resetAt - this.clock.now()) / 1000)),
      };
    }
    const keys = budgets.map((budget) => budget.key);
    // A unit that cannot be given back (Redis gone) stays spent until its window ends: this errs
    // towards counting one guess too many, and never fails a right password.
    const release = () => this.limiter.release(keys).catch(() => undefined);
    return { granted: true, budget: entries[0]![0], release };
  }
}

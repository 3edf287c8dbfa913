import { AuthError } from "../errors.js";
import type { Clock } from "../clock.js";
import type { RateLimiter, WindowCount } from "./rate-limiter.js";

export interface LoginThrottleSettings {
  maxFailuresPerAccount: number;
  maxFailuresPerIp: number;
  windowMs: number;
}

/**
 * Counts failed password checks per account and per IP (OWASP ASVS 2.2.1). An account locks after
 * a few failures whoever sends them (credential stuffing against one user); an IP locks after
 * many, so one user behind a shared NAT cannot lock out the office. Counters are kept for any
 * email, registered or not, so a lockout reveals nothing about which accounts exist.
 */
export class LoginThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: LoginThrottleSettings,
    private readonly clock: Clock,
  ) {}

  /** Throws RATE_LIMITED (with Retry-After) while the account or the IP is locked out. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [account, address] = await Promise.all([
      this.limiter.peek(accountKey(email)),
      this.limiter.peek(ipKey(ip)),
    ]);
    this.assertUnder(account, this.settings.maxFailuresPerAccount, "this account");
    this.assertUnder(address, this.settings.maxFailuresPerIp, "this address");
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.limiter.hit(accountKey(email), this.settings.windowMs),
      this.limiter.hit(ipKey(ip), this.settings.windowMs),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.limiter.reset(accountKey(email));
  }

  private assertUnder(window: WindowCount | null, max: number, what: string): void {
    if (window !== null && window.count >= max) {
      const retryAfter = Math.max(1, Math.ceil((window.resetAt - this.clock.now()) / 1000));
      throw new AuthError("RATE_LIMITED", `Too many failed logins for ${what}; try again later`, {
        retryAfter,
      });
    }
  }
}

const accountKey = (email: string) => `login-fail:account:${email}`;
const ipKey = (ip: string) => `login-fail:ip:${ip}`;

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The account facts a device token is bound to. */
export interface DeviceHolder {
  id: string;
  passwordHash: string;
}

/** Accounts remembered per browser profile (a shared family computer), most recent first. */
const MAX_ACCOUNTS = 5;
/**
 * Well-formed entries looked at per request: a bound on the HMACs a cookie header can cost (a few
 * microseconds each), generous enough that entries a sibling subdomain tosses in first (RFC
 * 6265bis §8.6) cannot push the owner's entry out of reach.
 */
const MAX_ENTRIES_READ = 64;
const ENTRY = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/;

/**
 * Device tokens, the value of the device cookie (OWASP "Slow Down Online Guessing Attacks with
 * Device Cookies"): proof that this browser signed in to an account before, so its login attempts
 * spend a budget of their own instead of the one every other client of the account shares. An
 * attacker who exhausts the shared budget then locks out only clients that never signed in.
 *
 * A token lists up to 5 entries `nonce.mac`, one per account signed in from this browser profile,
 * with `mac = HMAC-SHA256(key, nonce ‖ user id ‖ password hash)` cut to 128 bits. The nonce names
 * the device's budget. The account is not written in the cookie: an entry is valid only for the
 * account whose facts reproduce its MAC, so a cookie of one account is nothing for another, and
 * a forged or altered entry is nothing at all. Binding to the password hash makes every token
 * issued before a password change worthless: someone who once knew the password cannot keep a
 * stack of device budgets for after it changed.
 */
export class DeviceTokens {
  constructor(private readonly key: Buffer) {}

  /** The device id of the first entry in `values` valid for `holder`; null when there is none. */
  deviceOf(values: readonly string[], holder: DeviceHolder): string | null {
    for (const entry of entriesOf(values)) {
      const [nonce = "", mac = ""] = entry.split(".");
      if (timingSafeEqual(Buffer.from(mac), Buffer.from(this.mac(nonce, holder)))) return nonce;
    }
    return null;
  }

  /**
   * A token for a browser that just signed in as `holder`: a fresh entry (a new device id, so a
   * new budget) first, then the entries of other accounts it already held.
   */
  issue(values: readonly string[], holder: DeviceHolder): string {
    const nonce = randomBytes(16).toString("base64url");
    const others = entriesOf(values).filter((entry) => this.deviceOf([entry], holder) === null);
    return [`${nonce}.${this.mac(nonce, holder)}`, ...new Set(others)]
      .slice(0, MAX_ACCOUNTS)
      .join("~");
  }

  private mac(nonce: string, holder: DeviceHolder): string {
    return createHmac("sha256", this.key)
      .update(`${nonce}\0${holder.id}\0${holder.passwordHash}`)
      .digest()
      .subarray(0, 16)
      .toString("base64url");
  }
}

function entriesOf(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split("~"))
    .filter((entry) => ENTRY.test(entry))
    .slice(0, MAX_ENTRIES_READ);
}

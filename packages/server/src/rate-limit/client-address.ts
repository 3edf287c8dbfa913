import { createRequire } from "node:module";
import type * as IpAddr from "ipaddr.js";

// ipaddr.js is CommonJS typed as an ambient `export =` module, which an ES module cannot
// default-import under this project's compiler settings: load it the CommonJS way.
const ipaddr = createRequire(import.meta.url)("ipaddr.js") as typeof IpAddr;

/** Longest text kept for something that is not an address (a trusted proxy's odd header). */
const MAX_UNPARSED_LENGTH = 64;

/**
 * The one spelling of a client address, as sessions and audit events keep it: an IPv4-mapped
 * IPv6 address is its IPv4 address (RFC 4291 §2.5.5.2), IPv6 is written as RFC 5952 says (lower
 * case, no leading zeros, the longest run of zero groups compressed). `::FFFF:203.0.113.9`,
 * `::ffff:cb00:7109` and `203.0.113.9` are one client; so are `2001:DB8::1` and
 * `2001:0db8:0:0:0:0:0:1`. Text that is not an address at all (only a proxy the operator trusts
 * can hand one over) is kept as it came, bounded and without control characters.
 */
export function canonicalAddress(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || raw === "") return null;
  const address = parse(raw);
  if (address === null) return raw.replace(/\p{Cc}/gu, "").slice(0, MAX_UNPARSED_LENGTH) || null;
  return address.kind() === "ipv6"
    ? (address as IpAddr.IPv6).toRFC5952String()
    : address.toString();
}

/**
 * The key a per-client budget is counted under. IPv4: the address. IPv6: its network of
 * `ipv6PrefixBits` (default 64): a subscriber is routinely given a whole /64 (RFC 6177) and its
 * hosts pick new addresses in it at will (RFC 8981), so keying by the full address would hand
 * every device 2^64 fresh budgets.
 */
export function rateLimitKey(raw: string | null | undefined, ipv6PrefixBits: number): string {
  if (raw === null || raw === undefined || raw === "") return "unknown";
  const address = parse(raw);
  if (address === null) return `raw:${canonicalAddress(raw) ?? "unknown"}`;
  if (address.kind() === "ipv4") return address.toString();
  const bytes = address.toByteArray();
  for (let bit = ipv6PrefixBits; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  const network = ipaddr.fromByteArray(bytes) as IpAddr.IPv6;
  return `${network.toRFC5952String()}/${ipv6PrefixBits}`;
}

/** The address, IPv4-mapped forms as IPv4; null when the text is not an address. */
function parse(raw: string): IpAddr.IPv4 | IpAddr.IPv6 | null {
  const text = raw.trim();
  if (!ipaddr.isValid(text)) return null;
  const address = ipaddr.process(text);
  // A zone (`fe80::1%eth0`) names the receiving interface, not the client: dropped.
  return address.kind() === "ipv6" ? new ipaddr.IPv6((address as IpAddr.IPv6).parts) : address;
}

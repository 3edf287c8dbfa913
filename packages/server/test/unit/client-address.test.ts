import { describe, expect, it } from "vitest";
import { canonicalAddress, rateLimitKey } from "../../src/rate-limit/client-address.js";

describe("client addresses have one spelling (RFC 5952, RFC 4291 §2.5.5.2)", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["::FFFF:203.0.113.9", "203.0.113.9"],
    ["::ffff:cb00:7109", "203.0.113.9"],
    ["0:0:0:0:0:ffff:cb00:7109", "203.0.113.9"],
    ["2001:DB8::1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8::0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["fe80::1%eth0", "fe80::1"],
    [" 198.51.100.1 ", "198.51.100.1"],
    ["::1", "::1"],
  ])("%j is %j", (raw, canonical) => {
    expect(canonicalAddress(raw)).toBe(canonical);
  });

  it("keeps text that is no address (a trusted proxy's odd header) bounded and printable", () => {
    expect(canonicalAddress("not an address\u0000\n")).toBe("not an address");
    expect(canonicalAddress("x".repeat(500))).toHaveLength(64);
    expect(canonicalAddress("")).toBeNull();
    expect(canonicalAddress(undefined)).toBeNull();
  });
});

describe("rate-limit keys: IPv4 by address, IPv6 by network", () => {
  it("IPv6 addresses of one /64 share a key, whatever their spelling; the next /64 does not", () => {
    const keys = new Set(
      [
        "2001:db8:abcd:12::1",
        "2001:DB8:ABCD:12:FFFF:FFFF:FFFF:FFFF",
        "2001:0db8:abcd:0012:1234:5678:9abc:def0",
        "2001:db8:abcd:12:0:0:0:2%eth0",
      ].map((raw) => rateLimitKey(raw, 64)),
    );
    expect([...keys]).toEqual(["2001:db8:abcd:12::/64"]);
    expect(rateLimitKey("2001:db8:abcd:13::1", 64)).toBe("2001:db8:abcd:13::/64");
  });

  it("the prefix is configurable, including /128 (every address alone) and a non-octet /57", () => {
    expect(rateLimitKey("2001:db8:abcd:12::1", 48)).toBe("2001:db8:abcd::/48");
    expect(rateLimitKey("2001:db8:abcd:12::1", 128)).toBe("2001:db8:abcd:12::1/128");
    expect(rateLimitKey("2001:db8:abcd:12ff::1", 57)).toBe("2001:db8:abcd:1280::/57");
  });

  it("IPv4 and its IPv4-mapped forms are one key; odd text and no address get their own", () => {
    for (const raw of ["198.51.100.23", "::ffff:198.51.100.23", "::ffff:c633:6417"])
      expect(rateLimitKey(raw, 64)).toBe("198.51.100.23");
    expect(rateLimitKey("proxy-said-this", 64)).toBe("raw:proxy-said-this");
    expect(rateLimitKey("", 64)).toBe("unknown");
  });
});

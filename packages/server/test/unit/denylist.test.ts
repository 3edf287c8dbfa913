import { describe, expect, it } from "vitest";
import { Denylist } from "../../src/revocation/denylist.js";

describe("denylist", () => {
  it("revoked sessions and raised token versions, until their entries expire", () => {
    const list = new Denylist();
    list.apply({
      id: 1,
      kind: "session",
      subject: "s1",
      tokenVersion: null,
      createdAt: 0,
      expiresAt: 100,
    });
    list.apply({
      id: 2,
      kind: "user",
      subject: "u1",
      tokenVersion: 3,
      createdAt: 0,
      expiresAt: 200,
    });
    expect(list.standing({ sid: "s1", sub: "u9", ver: 0 })).toBe("revoked");
    expect(list.standing({ sid: "s2", sub: "u1", ver: 2 })).toBe("stale");
    expect(list.standing({ sid: "s2", sub: "u1", ver: 3 })).toBe("valid");
    list.sweep(150);
    expect(list.standing({ sid: "s1", sub: "u9", ver: 0 })).toBe("valid");
    expect(list.size).toBe(1);
    list.sweep(200);
    expect(list.size).toBe(0);
  });
  it("an older version record never lowers the floor (records may come late or twice)", () => {
    const list = new Denylist();
    list.apply({
      id: 2,
      kind: "user",
      subject: "u1",
      tokenVersion: 5,
      createdAt: 0,
      expiresAt: 200,
    });
    list.apply({
      id: 1,
      kind: "user",
      subject: "u1",
      tokenVersion: 4,
      createdAt: 0,
      expiresAt: 100,
    });
    expect(list.standing({ sid: "s", sub: "u1", ver: 4 })).toBe("stale");
    const session = {
      id: 3,
      kind: "session" as const,
      subject: "s1",
      tokenVersion: null,
      createdAt: 0,
      expiresAt: 300,
    };
    list.apply(session);
    list.apply({ ...session, expiresAt: 250 });
    list.apply(session);
    expect(list.size).toBe(2);
    list.sweep(299);
    expect(list.standing({ sid: "s1", sub: "u9", ver: 0 })).toBe("revoked");
  });
});

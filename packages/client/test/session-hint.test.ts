import { describe, expect, it } from "vitest";
import { createSessionHint, hasSessionHint } from "../src/session-hint.js";

const PAGE = "https://app.example.com/orders";
const hint = (overrides: Partial<Parameters<typeof createSessionHint>[0]> = {}) =>
  createSessionHint({
    enabled: true,
    cookieTransport: true,
    baseUrl: "/api/auth",
    document: { cookie: "" },
    pageUrl: PAGE,
    ...overrides,
  });

describe("hasSessionHint", () => {
  it("finds baton_session=1 among the page's cookies, and nothing like it", () => {
    expect(hasSessionHint("baton_session=1")).toBe(true);
    expect(hasSessionHint("theme=dark; baton_session=1; lang=en")).toBe(true);
    for (const cookies of [
      "",
      "baton_session=0",
      "baton_session=10",
      "xbaton_session=1",
      "baton_session",
      "theme=baton_session=1",
    ]) {
      expect(hasSessionHint(cookies)).toBe(false);
    }
  });
});

describe("createSessionHint", () => {
  it("reads document.cookie each time it is asked", () => {
    const page = { cookie: "" };
    const mayHaveSession = hint({ document: page });
    expect(mayHaveSession()).toBe(false);
    page.cookie = "baton_session=1";
    expect(mayHaveSession()).toBe(true);
  });

  it("answers 'maybe' where the hint cannot be seen or is not wanted", () => {
    const cases = [
      { enabled: false },
      { cookieTransport: false },
      { document: undefined },
      { pageUrl: undefined },
      { baseUrl: "https://auth.example.com/api/auth" }, // another host's cookies are invisible
      { baseUrl: "http://[bad" },
    ];
    for (const overrides of cases) expect(hint(overrides)()).toBe(true);
  });

  it("applies to absolute URLs of the page's host, whatever the port or scheme", () => {
    expect(hint({ baseUrl: "https://app.example.com/api/auth" })()).toBe(false);
    expect(hint({ baseUrl: "http://app.example.com:3000/api/auth" })()).toBe(false);
  });

  it("answers 'maybe' when the cookie cannot be read (a sandboxed frame)", () => {
    const sandboxed = {
      get cookie(): string {
        throw new DOMException("The document is sandboxed", "SecurityError");
      },
    };
    expect(hint({ document: sandboxed })()).toBe(true);
  });
});

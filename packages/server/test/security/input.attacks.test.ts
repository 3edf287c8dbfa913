import { connect } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "@baton/server";
import { PASSWORD, signUp, startTestServer, type TestServer } from "../support/test-server.js";
import { describeEachAdapter } from "../support/each-adapter.js";
import { expectError, rawRequest, type RawResponse } from "./support/attack-kit.js";

// Hostile request bodies, headers and bytes, through both adapters. Every case also checks that
// Object.prototype is exactly as it was (the server runs in this process) and that the server
// still answers.

const LIMIT = 16_384;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const utf8 = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))),
  );
const JSON_TYPE: [string, string] = ["content-type", "application/json"];

interface InputCase {
  attack: string;
  source: string;
  method?: string;
  path: string;
  headers?: [string, string][];
  body?: Buffer | string;
  /** Needs the victim's Bearer token. */
  bearer?: boolean;
  expect: ErrorCode | ErrorCode[] | number;
  check?: (response: RawResponse) => void;
}

const deep = (depth: number, open: string, close: string, inner = "1") =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

const cases: InputCase[] = [
  // ── size ──────────────────────────────────────────────────────────────────────────────
  {
    attack: "a body one byte over the limit is PAYLOAD_TOO_LARGE",
    source: "OWASP API4:2023 (unrestricted resource consumption); RFC 9110 §15.5.14",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: `{"email":"a@example.com","password":"${"x".repeat(LIMIT - 40)}"}`.padEnd(LIMIT + 1, " "),
    expect: "PAYLOAD_TOO_LARGE",
  },
  {
    attack: "a body of exactly the limit is read (and then judged on its content)",
    source: "RFC 9110 §15.5.14 (boundary)",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: `{"email":"a@example.com","password":"${"x".repeat(100)}"}`.padEnd(LIMIT, " "),
    expect: "INVALID_CREDENTIALS",
  },
  {
    attack: "a 64 KiB body is PAYLOAD_TOO_LARGE",
    source: "OWASP API4:2023; RFC 9110 §15.5.14",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: Buffer.alloc(64 * 1024, 0x20),
    expect: "PAYLOAD_TOO_LARGE",
  },
  {
    attack: "a chunked body with no Content-Length over the limit is PAYLOAD_TOO_LARGE",
    source: "RFC 9112 §7.1; OWASP API4:2023",
    path: "/api/auth/register",
    headers: [JSON_TYPE, ["transfer-encoding", "chunked"]],
    body: Buffer.alloc(LIMIT * 2, 0x20),
    expect: "PAYLOAD_TOO_LARGE",
  },

  // ── depth and width ───────────────────────────────────────────────────────────────────
  {
    attack: "5,000 nested arrays are refused without a stack overflow",
    source: "CWE-674 (uncontrolled recursion); OWASP API4:2023",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: deep(5_000, "[", "]"),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "2,000 nested objects are refused without a stack overflow",
    source: "CWE-674 (uncontrolled recursion)",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: deep(2_000, '{"a":', "}"),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "deep nesting inside a field (email: [[[…]]]) is refused",
    source: "CWE-674",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: `{"email":${deep(3_000, "[", "]", '"a@example.com"')},"password":"${PASSWORD}"}`,
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "1,000 unknown keys in one object are refused",
    source: "OWASP ASVS 5.1.2 (mass assignment)",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: JSON.stringify(Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, 1]))),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "2,000 roles in one request are refused",
    source: "OWASP ASVS 5.1.3",
    method: "PUT",
    path: "/api/auth/admin/users/nobody/roles",
    headers: [JSON_TYPE],
    bearer: true,
    body: json({ roles: Array.from({ length: 2_000 }, () => "r") }),
    expect: ["VALIDATION_FAILED", "FORBIDDEN"],
  },

  // ── prototype pollution ───────────────────────────────────────────────────────────────
  {
    attack: "a top-level __proto__ key is refused and pollutes nothing",
    source: "CWE-1321; OWASP Prototype Pollution Prevention Cheat Sheet",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: `{"email":"proto@example.com","password":"${PASSWORD}","__proto__":{"polluted":"yes","roles":["admin"]}}`,
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "a nested __proto__ key is refused and pollutes nothing",
    source: "CWE-1321",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: `{"email":"proto@example.com","password":"${PASSWORD}","name":{"__proto__":{"polluted":"yes"}}}`,
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "constructor.prototype is refused and pollutes nothing",
    source: "CWE-1321",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: `{"email":"a@example.com","password":"${PASSWORD}","constructor":{"prototype":{"polluted":"yes"}}}`,
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "a unicode-escaped __proto__ key (\\u005f_proto__) is refused",
    source: "CWE-1321 (escaped keys)",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: `{"email":"a@example.com","password":"${PASSWORD}","\\u005f_proto__":{"polluted":"yes"}}`,
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "a bare constructor key is an unknown field",
    source: "OWASP ASVS 5.1.2",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: `{"email":"a@example.com","password":"${PASSWORD}","constructor":{}}`,
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "__proto__ in the query string is refused",
    source: "CWE-1321 (query-string parsers)",
    method: "GET",
    path: "/api/auth/me?__proto__[polluted]=yes&constructor[prototype][polluted]=yes",
    bearer: true,
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "__proto__ as a path parameter finds nothing",
    source: "CWE-1321",
    method: "DELETE",
    path: "/api/auth/sessions/__proto__",
    bearer: true,
    expect: "NOT_FOUND",
  },
  {
    attack: "__proto__ and constructor as cookie names change nothing",
    source: "CWE-1321 (cookie parsers)",
    path: "/api/auth/refresh",
    headers: [["cookie", "__proto__=polluted; constructor=polluted; toString=1"]],
    expect: "REFRESH_MISSING",
  },

  // ── media types and encodings ─────────────────────────────────────────────────────────
  {
    attack: "application/xml is UNSUPPORTED_MEDIA_TYPE",
    source: "RFC 9110 §15.5.16",
    path: "/api/auth/login",
    headers: [["content-type", "application/xml"]],
    body: "<login><email>a@example.com</email></login>",
    expect: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    attack: "a body without a content type is UNSUPPORTED_MEDIA_TYPE",
    source: "RFC 9110 §8.3",
    path: "/api/auth/login",
    body: json({ email: "a@example.com", password: PASSWORD }),
    expect: "UNSUPPORTED_MEDIA_TYPE",
  },
  {
    attack: "a +json media type is parsed as JSON (positive control: judged on content)",
    source: "RFC 6839 §3.1",
    path: "/api/auth/login",
    headers: [["content-type", "application/vnd.baton+json"]],
    body: json({ email: "nobody@example.com", password: "wrong password" }),
    expect: "INVALID_CREDENTIALS",
  },
  {
    attack: "an invalid UTF-8 byte (0xFF) inside the password is refused — regression",
    source: "RFC 8259 §8.1; RFC 3629 §3; RFC 8725 §3.7",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: utf8('{"email":"bytes@example.com","password":"abcdefgh', [0xff], '"}'),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "an overlong UTF-8 encoding of '/' (0xC0 0xAF) is refused",
    source: "RFC 3629 §10 (overlong sequences); CVE-2000-0884 class",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: utf8('{"email":"over', [0xc0, 0xaf], 'long@example.com","password":"', PASSWORD, '"}'),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "a truncated multi-byte sequence is refused",
    source: "RFC 3629 §3",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: utf8('{"email":"cut@example.com","password":"', PASSWORD, [0xe2, 0x82], '"}'),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "CESU-8 (UTF-8-encoded surrogates) is refused",
    source: "RFC 3629 §3 (surrogates are not UTF-8)",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: utf8(
      '{"email":"cesu@example.com","password":"',
      PASSWORD,
      [0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80],
      '"}',
    ),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "a UTF-16 encoded body is refused",
    source: "RFC 8259 §8.1 (JSON is UTF-8)",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(JSON.stringify({ email: "a@example.com", password: PASSWORD }), "utf16le"),
    ]),
    expect: "VALIDATION_FAILED",
  },
  {
    attack:
      "a UTF-8 byte-order mark before the JSON is ignored, as RFC 8259 allows (judged on content)",
    source: "RFC 8259 §8.1 (parsers MAY ignore a BOM)",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: utf8([0xef, 0xbb, 0xbf], JSON.stringify({ email: "a@example.com", password: PASSWORD })),
    expect: "INVALID_CREDENTIALS",
  },
  {
    attack: "an unescaped NUL byte inside a JSON string is refused",
    source: "RFC 8259 §7",
    path: "/api/auth/login",
    headers: [JSON_TYPE],
    body: utf8('{"email":"a@example.com","password":"abcdefgh', [0x00], '"}'),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "a lone surrogate escape (\\ud800) in a name is refused — regression",
    source: "RFC 8259 §8.2; RFC 8725 §3.7",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: `{"email":"lone@example.com","password":"${PASSWORD}","name":"Ada\\ud800"}`,
    expect: "VALIDATION_FAILED",
  },

  // ── header injection through the name ─────────────────────────────────────────────────
  ...(
    [
      ["CR LF", "Ada\r\nSet-Cookie: admin=1"],
      ["a bare LF", "Ada\nX-Injected: 1"],
      ["NEL (U+0085)", "Ada\u0085X-Injected: 1"],
      ["LINE SEPARATOR (U+2028)", "Ada\u2028X-Injected: 1"],
      ["PARAGRAPH SEPARATOR (U+2029)", "Ada\u2029X-Injected: 1"],
      ["a right-to-left override (U+202E)", "Ada\u202Enimda"],
    ] as const
  ).map<InputCase>(([what, name], index) => ({
    attack: `a name with ${what} is refused and injects no header`,
    source: "CWE-113 (HTTP response splitting); CWE-117 (log injection); OWASP ASVS 7.3.1",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: json({ email: `inject-${index}@example.com`, password: PASSWORD, name }),
    expect: "VALIDATION_FAILED",
    check: (response) => {
      expect(response.headers["x-injected"]).toBeUndefined();
      expect(String(response.headers["set-cookie"] ?? "")).not.toContain("admin=1");
    },
  })),
  {
    attack: "a percent-encoded CR LF in a name stays literal text (positive control)",
    source: "CWE-113",
    path: "/api/auth/register",
    headers: [JSON_TYPE],
    body: json({
      email: "literal@example.com",
      password: PASSWORD,
      name: "Ada%0d%0aX-Injected: 1",
    }),
    expect: 201,
    check: (response) => {
      expect(response.headers["x-injected"]).toBeUndefined();
      expect(response.body.user.name).toBe("Ada%0d%0aX-Injected: 1");
    },
  },

  // ── parameters ────────────────────────────────────────────────────────────────────────
  {
    attack: "query parameters on a route that takes none are refused (parameter pollution)",
    source: "OWASP ASVS 5.1.1 (HTTP parameter pollution)",
    path: "/api/auth/login?email=a@example.com&password=x",
    headers: [JSON_TYPE],
    body: json({ email: "a@example.com", password: "x" }),
    expect: "VALIDATION_FAILED",
  },
  {
    attack: "a path parameter of 65 characters is refused",
    source: "OWASP ASVS 5.1.3",
    method: "DELETE",
    path: `/api/auth/sessions/${"a".repeat(65)}`,
    bearer: true,
    expect: ["VALIDATION_FAILED", "NOT_FOUND"],
  },
];

describeEachAdapter("hostile input through %s", { per: "block" }, (server) => {
  let token: string;
  beforeAll(async () => {
    token = (await signUp(server, "ada@example.com")).accessToken;
  });
  afterEach(async () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await server.client().get("/healthz")).status).toBe(200);
  });

  it.each(cases.map((row) => [`${row.attack} — ${row.source}`, row] as const))(
    "%s",
    async (_name, row) => {
      const headers = [...(row.headers ?? [])];
      if (row.bearer) headers.push(["authorization", `Bearer ${token}`]);
      const response = await rawRequest(
        server.url,
        row.method ?? "POST",
        row.path,
        headers,
        row.body,
      );
      if (typeof row.expect === "number") expect(response.status, response.text).toBe(row.expect);
      else if (Array.isArray(row.expect)) {
        expect(row.expect, response.text).toContain(response.body?.error?.code);
        expectError(response, response.body.error.code);
      } else expectError(response, row.expect);
      row.check?.(response);
    },
  );

  it("a User-Agent of 8 KiB with a control character is stored cut to 256 characters without it — CWE-117, OWASP ASVS 7.3.1", async () => {
    const login = await rawRequest(
      server.url,
      "POST",
      "/api/auth/login",
      [JSON_TYPE, ["user-agent", `Evil\tAgent/${"x".repeat(8_000)}`]],
      json({ email: "ada@example.com", password: PASSWORD }),
    );
    const sessions = await server.client().get("/api/auth/sessions", login.body.accessToken);
    const current = sessions.body.sessions.find((s: { current: boolean }) => s.current);
    expect(current.userAgent).toHaveLength(256);
    expect(current.userAgent).toMatch(/^EvilAgent\/x+$/);
  });
});

/** Writes raw bytes on a TCP connection and returns what comes back before the server closes. */
function rawSocket(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("close", () => resolve(answer));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" ? resolve(answer) : reject(error),
    );
  });
}

describe("request smuggling and splitting at the HTTP layer", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("fastify");
  });
  afterAll(() => server.close());

  it("Content-Length together with Transfer-Encoding is refused by the parser (400) — RFC 9112 §6.1, PortSwigger 'HTTP request smuggling'", async () => {
    const host = new URL(server.url).host;
    const answer = await rawSocket(
      server.url,
      `POST /api/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/auth/me HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer.match(/HTTP\/1\.1/g)).toHaveLength(1);
  });

  it("a bare LF inside a header value (request splitting) is refused by the parser (400) — CWE-113, RFC 9110 §5.5", async () => {
    const host = new URL(server.url).host;
    const answer = await rawSocket(
      server.url,
      `GET /api/auth/me HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: a\nAuthorization: Bearer injected\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });
});

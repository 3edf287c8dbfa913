// Tests reach a Baton's core (signing keys included) the way the adapters do: it is not public API.
import { coreOf } from "../../../src/baton-internals.js";
import { createHmac, sign as cryptoSign, type KeyObject } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from "@baton/protocol";
import { decodeJwt } from "jose";
import { expect } from "vitest";
import { normalizeEmail } from "../../../src/users/user-fields.js";
import type { ApiResponse } from "../../support/http-client.js";
import type { TestServer } from "../../support/test-server.js";

/**
 * The attacker's toolbox for the security suite: hand-built JWTs (any header, any payload, any
 * signature, including malformed JSON), raw HTTP requests that keep duplicate headers and send
 * arbitrary bytes, and readers for the SQLite file a test server writes.
 */

export const b64url = (value: string | Uint8Array): string =>
  Buffer.from(value).toString("base64url");

/** A JOSE segment: objects are JSON-encoded, strings are taken as the exact JSON text. */
export const segment = (value: object | string): string =>
  b64url(typeof value === "string" ? value : JSON.stringify(value));

export type Signer =
  /** No signature at all: `header.payload.` */
  | { none: true }
  /** HMAC-SHA-2 with the given key bytes or text (what a confused verifier would use). */
  | { hmac: Uint8Array | string; hash?: "sha256" | "sha384" | "sha512" }
  /** An asymmetric private key: Ed25519 (`digest` null), RSA or EC (`digest` "sha256"). */
  | { key: KeyObject; digest?: string | null }
  /** A signature segment given verbatim. */
  | { signature: string };

/** A compact JWS over exactly these header and payload segments. */
export function forgeJwt(
  header: object | string,
  payload: object | string,
  signer: Signer,
): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${signatureFor(input, signer)}`;
}

function signatureFor(input: string, signer: Signer): string {
  if ("none" in signer) return "";
  if ("signature" in signer) return signer.signature;
  if ("hmac" in signer)
    return createHmac(signer.hash ?? "sha256", signer.hmac)
      .update(input)
      .digest("base64url");
  const digest = signer.digest === undefined ? null : signer.digest;
  return cryptoSign(digest, Buffer.from(input), {
    key: signer.key,
    dsaEncoding: "ieee-p1363",
  }).toString("base64url");
}

/** The signing material of a running test server (what an attacker must never have). */
export function serverKeys(server: TestServer): {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  const active = coreOf(server.baton).accessTokens.keyRing.active;
  return {
    kid: active.kid,
    privateKey: active.signingKey as KeyObject,
    publicKey: active.verificationKey as KeyObject,
  };
}

/** A legitimate access token's claims: the starting point of most forgeries. */
export function claimsOf(accessToken: string): Record<string, unknown> {
  return { ...decodeJwt(accessToken) };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when there is none. */
  body: any;
}

/**
 * A request over node:http with a flat header list (duplicates kept, order kept) and a body of
 * arbitrary bytes: what fetch refuses to send.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: [string, string][] = [],
  body?: Buffer | string,
): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  // A Host of the caller's own (a server addressed by another name) replaces the URL's.
  const ownHost = headers.some(([name]) => name.toLowerCase() === "host");
  const flat = [...(ownHost ? [] : [["host", url.host]]), ...headers].flat();
  const bytes = body === undefined ? undefined : Buffer.from(body);
  if (
    bytes !== undefined &&
    !headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))
  )
    flat.push("content-length", String(bytes.length));
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: flat }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        if ((response.headers["content-type"] ?? "").includes("json") && text !== "")
          parsed = JSON.parse(text);
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text,
          body: parsed,
        });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    if (bytes !== undefined) request.write(bytes);
    request.end();
  });
}

type AnyResponse = Pick<ApiResponse, "status" | "body"> & {
  headers: Headers | IncomingHttpHeaders;
};

function headerOf(response: AnyResponse, name: string): string | null {
  const { headers } = response;
  if (headers instanceof Headers) return headers.get(name);
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** The response is Baton's documented error `code`, with its status and RFC 6750 challenge. */
export function expectError(response: AnyResponse, code: ErrorCode): void {
  expect(response.body?.error?.code, JSON.stringify(response.body)).toBe(code);
  expect(response.status).toBe(ERROR_STATUS[code]);
  expect(headerOf(response, "cache-control")).toBe("no-store");
  if (response.status === 401)
    expect(headerOf(response, "www-authenticate")).toMatch(/^Bearer realm="baton"/);
}

/** Any documented error: a known code whose status matches the one the response carries. */
export function expectDocumentedError(response: AnyResponse): void {
  const code = response.body?.error?.code as ErrorCode | undefined;
  expect(ERROR_CODES, `${response.status} ${JSON.stringify(response.body)}`).toContain(code);
  expect(response.status).toBe(ERROR_STATUS[code!]);
}

export function databaseFile(server: TestServer): string {
  return join(server.dir, "baton.db");
}

/** Runs `read` against a read-only connection to the server's SQLite file. */
export function withDatabase<T>(server: TestServer, read: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(databaseFile(server), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * What must always hold in the database, whatever requests came before: no session without its
 * user, no refresh token without its session, and every session has exactly one unretired token,
 * of the session's current generation (rotation never forks or loses the chain).
 */
export function consistencyProblems(server: TestServer): string[] {
  return withDatabase(server, (db) => {
    const problems: string[] = [];
    const rows = (sql: string) => db.prepare(sql).all() as Record<string, unknown>[];
    for (const row of rows(
      "select id from sessions s where not exists (select 1 from users u where u.id = s.user_id)",
    ))
      problems.push(`session ${String(row.id)} has no user`);
    for (const row of rows(
      "select token_hash from refresh_tokens t where not exists (select 1 from sessions s where s.id = t.session_id)",
    ))
      problems.push(`refresh token ${String(row.token_hash)} has no session`);
    for (const row of rows(`
      select s.id, s.generation,
        (select count(*) from refresh_tokens t where t.session_id = s.id and t.retired_at is null) as live,
        (select count(*) from refresh_tokens t where t.session_id = s.id and t.retired_at is null
           and t.generation = s.generation) as current,
        (select count(*) from refresh_tokens t where t.session_id = s.id and t.generation > s.generation) as ahead
      from sessions s`)) {
      if (row.live !== 1 || row.current !== 1 || row.ahead !== 0)
        problems.push(
          `session ${String(row.id)} (generation ${String(row.generation)}): ${String(row.live)} unretired tokens, ${String(row.current)} current, ${String(row.ahead)} ahead`,
        );
    }
    for (const row of rows("select id, email, password_hash from users")) {
      const email = String(row.email);
      let normalized: string | undefined;
      try {
        normalized = normalizeEmail(email);
      } catch {
        normalized = undefined;
      }
      if (normalized !== email) problems.push(`user ${String(row.id)} has a non-normalised email`);
      if (!String(row.password_hash).startsWith("$argon2id$"))
        problems.push(`user ${String(row.id)} has a password hash that is not argon2id`);
    }
    return problems;
  });
}

/**
 * Every byte the server wrote to its data directory (database, WAL, shared memory, secret file)
 * as latin1 text, plus a JSON dump of every table: where a leaked secret would be found.
 */
export function everythingStored(server: TestServer): string {
  const files = readdirSync(server.dir).map((name) =>
    readFileSync(join(server.dir, name)).toString("latin1"),
  );
  const tables = withDatabase(server, (db) =>
    (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[])
      .map(({ name }) => JSON.stringify(db.prepare(`select * from "${name}"`).all()))
      .join("\n"),
  );
  return [...files, tables].join("\n");
}

/** A secret as it would appear in a byte dump read as latin1 (UTF-8 encoded). */
export function asStoredBytes(secret: string): string {
  return Buffer.from(secret, "utf8").toString("latin1");
}

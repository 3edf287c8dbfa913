// Issue 17 item 3: on PostgreSQL a rotation is one statement, one round trip (it was begin,
// four statements, commit). What it must still do is the store conformance suite's business;
// here, only how many statements reach the server.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "@baton/server";
import { freshPostgresSchema, probePostgres, serviceAvailable } from "../support/services.js";

const available = await serviceAvailable("PostgreSQL", probePostgres);

describe.runIf(available)("a rotation on PostgreSQL", () => {
  const statements: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- restored as is, never called unbound
  const query = pg.Client.prototype.query;
  afterAll(() => {
    pg.Client.prototype.query = query;
  });

  it("is one statement: winner and loser alike", async () => {
    const schema = await freshPostgresSchema();
    const store = await openStore(schema.url);
    try {
      const now = Date.now();
      await store.createUser({
        id: "u1",
        email: "ada@example.com",
        name: null,
        passwordHash: "$argon2id$unused",
        roles: ["user"],
        createdAt: now,
      });
      const session = {
        id: "s1",
        userId: "u1",
        tokenSalt: "salt",
        createdAt: now,
        expiresAt: now + 60_000,
        maxExpiresAt: now + 120_000,
        ip: null,
        userAgent: null,
      };
      expect(await store.createSession(session, "hash-0", 0)).toBe(true);
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        const text = args[0];
        statements.push(typeof text === "string" ? text : (text as { text: string }).text);
        return (query as (...a: unknown[]) => unknown).apply(this, args);
      } as typeof query;
      const rotation = {
        sessionId: "s1",
        fromGeneration: 0,
        tokenHash: "hash-1",
        now,
        expiresAt: now + 60_000,
        ip: null,
        userAgent: null,
        audit: {
          at: now,
          type: "token.refreshed" as const,
          userId: "u1",
          sessionId: "s1",
          ip: null,
          userAgent: null,
          detail: null,
        },
      };
      expect(await store.rotateRefreshToken(rotation)).toBe(true);
      expect(await store.rotateRefreshToken({ ...rotation, tokenHash: "hash-1b" })).toBe(false);
      pg.Client.prototype.query = query;
      expect(statements).toHaveLength(2);
      expect(statements.join("\n")).not.toMatch(/\b(begin|commit)\b/i);
      const match = await store.findByRefreshToken("hash-1");
      expect(match?.generation).toBe(1);
      expect(await store.findByRefreshToken("hash-1b")).toBeNull();
    } finally {
      pg.Client.prototype.query = query;
      await store.close();
      await schema.drop();
    }
  });
});

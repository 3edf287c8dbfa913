/**
 * Rate limits with their default numbers, as real clients meet them (issue 13 item 5): a
 * developer's busy SPA and an office behind one NAT address never see a 429; a credential-stuffing
 * client on one address, a token sprayer and a runaway loop on one session still do.
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { TestClient } from "../support/http-client.js";
import {
  PASSWORD,
  startTestServer,
  type Adapter,
  type TestServer,
} from "../support/test-server.js";
import { withDatabase } from "../security/support/attack-kit.js";

/** Every request of a client through one address (trustProxy: the proxy says who). */
const from = (address: string) => ({ headers: { "x-forwarded-for": address } });
const NAT = "198.51.100.7";

/** Starts with the shipped defaults of every limit (the test helper turns AUTH_RATE_LIMIT off). */
const startWithDefaults = (adapter: Adapter, options = {}) =>
  startTestServer(adapter, { authRateLimit: undefined, trustProxy: true, ...options });

/** Statuses of a burst, counted: `{ 200: 12, 429: 3 }`. */
function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

describe.each<Adapter>(["fastify", "express"])(
  "rate limits with default numbers through %s",
  (adapter) => {
    let server: TestServer;
    afterEach(() => server.close());

    it("one developer polling /me every 2 s from 5 tabs and refreshing every 15 s for 90 s is never limited", async () => {
      server = await startWithDefaults(adapter);
      const client = server.client();
      const registered = await client.post(
        "/api/auth/register",
        { email: "dev@example.com", password: PASSWORD },
        from("127.0.0.1"),
      );
      expect(registered.status).toBe(201);
      let token = registered.body.accessToken as string;
      const statuses: number[] = [];
      for (let second = 0; second < 90; second += 2) {
        for (let tab = 0; tab < 5; tab++)
          statuses.push((await client.get("/api/auth/me", token, from("127.0.0.1"))).status);
        if (second % 15 === 0) {
          const refreshed = await client.post("/api/auth/refresh", undefined, from("127.0.0.1"));
          statuses.push(refreshed.status);
          if (refreshed.status === 200) token = refreshed.body.accessToken as string;
        }
        statuses.push((await client.get("/api/auth/sessions", token, from("127.0.0.1"))).status);
        server.clock.advance(2_000);
      }
      console.log(`[rate limits] busy SPA over 90 s: ${JSON.stringify(tally(statuses))}`);
      expect(tally(statuses)).toEqual({ 200: statuses.length });
    });

    it("300 users behind one office NAT each log in once and use the app within a minute: none is limited", async () => {
      server = await startWithDefaults(adapter);
      // The accounts exist already (made at home, from other addresses); one hash serves them all.
      const first = await server
        .client()
        .post(
          "/api/auth/register",
          { email: "u0@example.com", password: PASSWORD },
          from("10.9.0.1"),
        );
      expect(first.status).toBe(201);
      const { password_hash: passwordHash } = withDatabase(server, (db) =>
        db.prepare("select password_hash from users where email = 'u0@example.com'").get(),
      ) as { password_hash: string };
      for (let i = 1; i < 300; i++)
        await server.baton.store.createUser({
          id: randomUUID(),
          email: `u${i}@example.com`,
          name: null,
          passwordHash,
          roles: ["user"],
          createdAt: server.clock.now(),
        });

      const users: { client: TestClient; token: string }[] = [];
      const statuses: number[] = [];
      // Ten at a time: a morning rush, within one minute of the manual clock.
      for (let batch = 0; batch < 300; batch += 10) {
        const logins = await Promise.all(
          Array.from({ length: 10 }, async (_, j) => {
            const client = server.client();
            const answer = await client.post(
              "/api/auth/login",
              { email: `u${batch + j}@example.com`, password: PASSWORD },
              from(NAT),
            );
            return { client, answer };
          }),
        );
        for (const { client, answer } of logins) {
          statuses.push(answer.status);
          if (answer.status === 200)
            users.push({ client, token: answer.body.accessToken as string });
        }
      }
      for (const { client, token } of users) {
        statuses.push((await client.get("/api/auth/me", token, from(NAT))).status);
        statuses.push((await client.get("/api/auth/sessions", token, from(NAT))).status);
        statuses.push((await client.post("/api/auth/refresh", undefined, from(NAT))).status);
        statuses.push((await client.get("/api/auth/me", token, from(NAT))).status);
      }
      console.log(`[rate limits] 300 users behind one NAT: ${JSON.stringify(tally(statuses))}`);
      expect(tally(statuses)).toEqual({ 200: 1500 });
    }, 120_000);

    it("a credential-stuffing client on one address is stopped, while signed-in neighbours on the same address carry on", async () => {
      server = await startWithDefaults(adapter);
      const neighbour = server.client();
      const registered = await neighbour.post(
        "/api/auth/register",
        { email: "neighbour@example.com", password: PASSWORD },
        from("10.9.0.2"),
      );
      const token = registered.body.accessToken as string;
      const stuffer = server.client();
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++)
        statuses.push(
          (
            await stuffer.post(
              "/api/auth/login",
              { email: `victim${i}@example.com`, password: `leaked-password-${i}` },
              from(NAT),
            )
          ).status,
        );
      const counts = tally(statuses);
      console.log(`[rate limits] credential stuffing, 200 attempts: ${JSON.stringify(counts)}`);
      expect(counts[401]).toBeLessThanOrEqual(50);
      expect(counts[429]).toBeGreaterThanOrEqual(150);
      expect((await neighbour.get("/api/auth/me", token, from(NAT))).status).toBe(200);
      expect((await neighbour.post("/api/auth/refresh", undefined, from(NAT))).status).toBe(200);
    }, 60_000);

    it("a token sprayer on one address is limited by its refused requests; a runaway loop on one session by its own budget", async () => {
      server = await startWithDefaults(adapter, { sessionRateLimit: 30 });
      const sprayed: number[] = [];
      for (let i = 0; i < 80; i++)
        sprayed.push((await server.client().get("/api/auth/me", `x${i}.y.z`, from(NAT))).status);
      const sprayCounts = tally(sprayed);
      expect(sprayCounts[401]).toBe(60);
      expect(sprayCounts[429]).toBe(20);

      const loop = server.client();
      const looping = await loop.post(
        "/api/auth/register",
        { email: "loop@example.com", password: PASSWORD },
        from("10.9.0.3"),
      );
      const other = await server
        .client()
        .post(
          "/api/auth/register",
          { email: "other@example.com", password: PASSWORD },
          from("10.9.0.3"),
        );
      const loopStatuses: number[] = [];
      for (let i = 0; i < 40; i++)
        loopStatuses.push(
          (await loop.get("/api/auth/me", looping.body.accessToken as string, from("10.9.0.3")))
            .status,
        );
      expect(tally(loopStatuses)).toEqual({ 200: 30, 429: 10 });
      // Another session on the same address is not affected, and the loop's budget refills.
      expect(
        (
          await server
            .client()
            .get("/api/auth/me", other.body.accessToken as string, from("10.9.0.3"))
        ).status,
      ).toBe(200);
      server.clock.advance(60_001);
      expect(
        (await loop.get("/api/auth/me", looping.body.accessToken as string, from("10.9.0.3")))
          .status,
      ).toBe(200);
    });
  },
);

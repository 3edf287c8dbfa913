import { describe, expect, it } from "vitest";
import { PASSWORD, signUp, startTestServer } from "../support/test-server.js";

describe("/metrics", () => {
  it("counts logins, refreshes, grace hits, recoveries, reuse, revocations, rate limits and latency", async () => {
    const server = await startTestServer("fastify", { authRateLimit: 50 });
    try {
      const { client } = await signUp(server, "ada@example.com");
      await client.post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
      await client.post("/api/auth/login", {
        email: "ada@example.com",
        password: "wrong password",
      });
      const stale = client.jar.get("refresh_token")!;
      await client.post("/api/auth/refresh");
      await server.client().post("/api/auth/refresh", { refreshToken: stale }); // grace
      server.clock.advance(10_001);
      await server.client().post("/api/auth/refresh", { refreshToken: stale }); // recovery
      await client.post("/api/auth/refresh"); // its successor is used: stale is now two behind
      server.clock.advance(10_001);
      await server.client().post("/api/auth/refresh", { refreshToken: stale }); // reuse
      for (let i = 0; i < 50; i++) await server.client().get("/healthz");
      for (let i = 0; i < 50; i++) await server.client().post("/api/auth/refresh");
      const response = await server.client().get("/metrics");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain");
      const text = response.body as string;
      expect(text).toMatch(/baton_logins_total\{result="ok"\} 1/);
      expect(text).toMatch(/baton_logins_total\{result="failed"\} 1/);
      expect(text).toMatch(/baton_refreshes_total\{result="rotated"\} 2/);
      expect(text).toMatch(/baton_refresh_grace_hits_total 1/);
      expect(text).toMatch(/baton_refresh_recoveries_total 1/);
      expect(text).toMatch(/baton_refreshes_total\{result="recovered"\} 1/);
      expect(text).toMatch(/baton_refresh_reuse_detections_total 1/);
      expect(text).toMatch(/baton_revocations_total\{cause="reuse"\} 1/);
      expect(text).toMatch(/baton_rate_limited_total\{route="\/refresh"\} [1-9]/);
      expect(text).toMatch(
        /baton_http_request_duration_seconds_count\{method="POST",route="\/login",status="200"\} 1/,
      );
    } finally {
      await server.close();
    }
  });

  it("is 404 when turned off", async () => {
    const server = await startTestServer("fastify", { metrics: false });
    try {
      expect((await server.client().get("/metrics")).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

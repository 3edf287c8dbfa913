import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/test-server.js";
import { expectError } from "./support/attack-kit.js";

// Privilege escalation and object-level authorisation: roles come only from the signed token and
// change at once; one user can never reach another user's sessions.

const ADMIN = { email: "root@example.com", password: "admin-password-1" };

describe("privilege escalation and IDOR", () => {
  let server: TestServer;
  let admin: string;
  let counter = 0;
  beforeAll(async () => {
    server = await startTestServer("fastify", {
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
    });
    admin = (await server.client().post("/api/auth/login", ADMIN)).body.accessToken;
  });
  afterAll(() => server.close());
  const user = () => signUp(server, `user-${++counter}@example.com`);
  const setRoles = (id: string, roles: string[]) =>
    server
      .client()
      .request("PUT", `/api/auth/admin/users/${id}/roles`, { token: admin, json: { roles } });

  it("a user listing all users is FORBIDDEN — OWASP ASVS 4.1.1, OWASP API5:2023", async () => {
    const ada = await user();
    expectError(await server.client().get("/api/auth/admin/users", ada.accessToken), "FORBIDDEN");
  });

  it("a user granting themselves admin is FORBIDDEN and the roles do not change — OWASP ASVS 4.1.3, API5:2023", async () => {
    const ada = await user();
    const response = await server
      .client()
      .request("PUT", `/api/auth/admin/users/${ada.user.id}/roles`, {
        token: ada.accessToken,
        json: { roles: ["admin"] },
      });
    expectError(response, "FORBIDDEN");
    expect((await server.client().get("/api/auth/me", ada.accessToken)).body.user.roles).toEqual([
      "user",
    ]);
  });

  it("a user deleting another user is FORBIDDEN — OWASP ASVS 4.1.3", async () => {
    const ada = await user();
    const bob = await user();
    expectError(
      await server
        .client()
        .request("DELETE", `/api/auth/admin/users/${bob.user.id}`, { token: ada.accessToken }),
      "FORBIDDEN",
    );
    expect((await server.client().get("/api/auth/me", bob.accessToken)).status).toBe(200);
  });

  it("the host app's requireRole refuses a user without the role — OWASP ASVS 4.1.3", async () => {
    const ada = await user();
    expectError(await server.client().get("/api/staff", ada.accessToken), "FORBIDDEN");
  });

  it("a demoted admin's access token stops working at once, and the refreshed one is no longer admin — OWASP ASVS 4.1.3, 3.3.1", async () => {
    const ada = await user();
    await setRoles(ada.user.id, ["admin", "user"]);
    const promoted = await ada.client.post("/api/auth/refresh");
    expect(
      (await server.client().get("/api/auth/admin/users", promoted.body.accessToken)).status,
    ).toBe(200);
    await setRoles(ada.user.id, ["user"]);
    expectError(
      await server.client().get("/api/auth/admin/users", promoted.body.accessToken),
      "TOKEN_EXPIRED",
    );
    const demoted = await ada.client.post("/api/auth/refresh");
    expect(demoted.body.user.roles).toEqual(["user"]);
    expectError(
      await server.client().get("/api/auth/admin/users", demoted.body.accessToken),
      "FORBIDDEN",
    );
  });

  it.each([["Admin"], ["ADMIN"], ["admin."], ["admin:"], ["administrator"]])(
    "a role named %j is not the admin role (exact comparison) — OWASP ASVS 4.1.3",
    async (role) => {
      const ada = await user();
      await setRoles(ada.user.id, [role, "user"]);
      const refreshed = await ada.client.post("/api/auth/refresh");
      expect(refreshed.body.user.roles).toContain(role);
      expectError(
        await server.client().get("/api/auth/admin/users", refreshed.body.accessToken),
        "FORBIDDEN",
      );
    },
  );

  it.each([["admin "], [" admin"], ["ad min"], ["admin\u0000"], ["ａｄｍｉｎ"]])(
    "a role name %j outside the role alphabet is refused — OWASP ASVS 5.1.3",
    async (role) => {
      const ada = await user();
      expectError(await setRoles(ada.user.id, [role]), "VALIDATION_FAILED");
    },
  );

  it("the sessions list shows only the caller's own sessions — OWASP ASVS 4.2.1", async () => {
    const ada = await user();
    const bob = await user();
    await bob.client.post("/api/auth/login", {
      email: `user-${counter}@example.com`,
      password: "correct horse battery",
    });
    const mine = (await server.client().get("/api/auth/sessions", ada.accessToken)).body.sessions;
    expect(mine).toHaveLength(1);
    const theirs = (await server.client().get("/api/auth/sessions", bob.accessToken)).body
      .sessions as { id: string }[];
    expect(theirs).toHaveLength(2);
    expect(theirs.map((s) => s.id)).not.toContain(mine[0].id);
  });

  it("a deleted user's access token is refused by requireAuth at once — OWASP ASVS 3.3.1", async () => {
    const ada = await user();
    await server
      .client()
      .request("DELETE", `/api/auth/admin/users/${ada.user.id}`, { token: admin });
    expectError(await server.client().get("/api/private", ada.accessToken), "SESSION_REVOKED");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../support/test-server.js";
import { expectError, withDatabase } from "./support/attack-kit.js";

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

describe("the last admin (someone must always reach the admin API)", () => {
  let server: TestServer;
  let root: { accessToken: string; id: string };
  let counter = 0;
  beforeAll(async () => {
    server = await startTestServer("fastify", {
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
    });
    const login = await server.client().post("/api/auth/login", ADMIN);
    root = { accessToken: login.body.accessToken, id: login.body.user.id };
  });
  afterAll(() => server.close());
  const setRoles = (token: string, id: string, roles: string[]) =>
    server.client().request("PUT", `/api/auth/admin/users/${id}/roles`, { token, json: { roles } });
  const remove = (token: string, id: string) =>
    server.client().request("DELETE", `/api/auth/admin/users/${id}`, { token });
  const rolesOf = (id: string) =>
    withDatabase(server, (db) =>
      JSON.parse(
        (db.prepare("select roles from users where id = ?").get(id) as { roles: string }).roles,
      ),
    ) as string[];

  it("the only admin removing its own admin role is 409 LAST_ADMIN, and nothing changes — CWE-269 (improper privilege management)", async () => {
    expectError(await setRoles(root.accessToken, root.id, ["user"]), "LAST_ADMIN");
    expectError(await setRoles(root.accessToken, root.id, []), "LAST_ADMIN");
    expect(rolesOf(root.id)).toEqual(["admin", "user"]);
    // Not demoted, so its token was not staled either.
    expect((await server.client().get("/api/auth/admin/users", root.accessToken)).status).toBe(200);
  });

  it("the only admin deleting itself is 409 LAST_ADMIN, and it still exists — CWE-269", async () => {
    expectError(await remove(root.accessToken, root.id), "LAST_ADMIN");
    expect((await server.client().get("/api/auth/me", root.accessToken)).status).toBe(200);
  });

  it("the last admin may change its other roles as long as it keeps admin — CWE-269", async () => {
    const changed = await setRoles(root.accessToken, root.id, ["admin", "user", "staff"]);
    expect(changed.status).toBe(200);
    expect(changed.body.user.roles).toEqual(["admin", "user", "staff"]);
    const refreshed = await server.client().post("/api/auth/login", ADMIN);
    root.accessToken = refreshed.body.accessToken;
  });

  it("with a second admin, either can step down or be deleted; then the one left is the last — CWE-269", async () => {
    const ada = await signUp(server, `last-${++counter}@example.com`);
    expect((await setRoles(root.accessToken, ada.user.id, ["admin"])).status).toBe(200);
    const adaAdmin = (await ada.client.post("/api/auth/refresh")).body.accessToken as string;
    const bob = await signUp(server, `last-${++counter}@example.com`);
    expect((await setRoles(adaAdmin, bob.user.id, ["admin"])).status).toBe(200);
    // Three admins: ada deletes bob, root steps down; ada is then the last one.
    expect((await remove(adaAdmin, bob.user.id)).status).toBe(204);
    expect((await setRoles(root.accessToken, root.id, ["user"])).status).toBe(200);
    expectError(await setRoles(adaAdmin, ada.user.id, ["user"]), "LAST_ADMIN");
    expectError(await remove(adaAdmin, ada.user.id), "LAST_ADMIN");
    expect(rolesOf(ada.user.id)).toEqual(["admin"]);
    // A role that only looks like admin does not count as one.
    const carol = await signUp(server, `last-${++counter}@example.com`);
    expect((await setRoles(adaAdmin, carol.user.id, ["Admin", "administrator"])).status).toBe(200);
    expectError(await setRoles(adaAdmin, ada.user.id, ["user"]), "LAST_ADMIN");
  });
});

import { afterAll, describe, expect, it } from "vitest";
import {
  SESSION_ENDING_CODES,
  startServer,
  type ErrorCode,
  type RunningServer,
} from "@baton/server";
import { TestClient } from "../support/http-client.js";
import { runCli, scratchDatabase } from "./run-cli.js";

const PASSWORD = "correct horse battery";

/** Polls until `check` passes or the time is up (revocations reach other processes by polling). */
async function eventually(check: () => Promise<void>, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// One database, used by the CLI in child processes and by a Baton server in this process, as an
// operator would: the CLI changes what a running server sees.
describe("baton commands against a SQLite database", () => {
  const db = scratchDatabase("commands");
  const cli = (...args: string[]) => runCli(args, { env: db.env });
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.close();
    db.remove();
  });

  it("migrate creates the schema, and again finds it up to date (exit 0)", async () => {
    const first = await cli("migrate");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Database sqlite:.*baton\.db: schema up to date \(\d+ ms\)\.\n$/);
    const again = await cli("migrate", "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ database: db.databaseUrl });
  });

  it("users create reads the password from stdin and prints the user", async () => {
    const result = await runCli(
      [
        "users",
        "create",
        "--email",
        " Ada@Example.COM ",
        "--password-stdin",
        "--name",
        "Ada Lovelace",
        "--roles",
        "admin,user",
        "--json",
      ],
      { env: db.env, input: `${PASSWORD}\n` },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      email: "ada@example.com",
      name: "Ada Lovelace",
      roles: ["admin", "user"],
    });
    const plain = await cli(
      "users",
      "create",
      "--email",
      "bob@example.com",
      "--password",
      PASSWORD,
    );
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Created user [0-9a-f-]{36} bob@example\.com \(roles: user\)\n$/);
  });

  it("users create exits 65 when the (normalised) email is taken, and changes nothing", async () => {
    const result = await cli(
      "users",
      "create",
      "--email",
      "ADA@example.com",
      "--password",
      "x".repeat(9),
    );
    expect(result.code).toBe(65);
    expect(result.stderr).toContain("ada@example.com is already registered");
  });

  it("the created user logs in through the HTTP API with the stdin password", async () => {
    server = await startServer({
      databaseUrl: db.databaseUrl,
      port: 0,
      host: "127.0.0.1",
      logger: false,
      authRateLimit: 0,
    });
    const login = await new TestClient(server.url).post("/api/auth/login", {
      email: "ada@example.com",
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ name: "Ada Lovelace", roles: ["admin", "user"] });
  });

  it("users list prints a table, pages with --limit/--offset, and --json for machines", async () => {
    const table = await cli("users", "list");
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+EMAIL\s+NAME\s+ROLES\s+CREATED$/);
    expect(lines[1]).toMatch(/ada@example\.com\s+Ada Lovelace\s+admin,user\s+\d{4}-\d\d-\d\d /);
    expect(lines[2]).toMatch(/bob@example\.com\s+user\s/);
    expect(table.stderr).toBe("1-2 of 2 users\n");

    const page = await cli("users", "list", "--limit", "1", "--offset", "1", "--json");
    expect(page.code).toBe(0);
    const body = JSON.parse(page.stdout);
    expect(body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(body.users.map((user: { email: string }) => user.email)).toEqual(["bob@example.com"]);
    expect(Object.keys(body.users[0]).sort()).toEqual([
      "createdAt",
      "email",
      "emailVerified",
      "id",
      "name",
      "roles",
    ]);
  });

  it("users set-roles by email or by id takes effect at once; unknown users exit 65", async () => {
    const client = new TestClient(server!.url);
    const login = await client.post("/api/auth/login", {
      email: "bob@example.com",
      password: PASSWORD,
    });
    const oldToken = login.body.accessToken as string;
    const userId = login.body.user.id as string;

    const byEmail = await cli("users", "set-roles", "Bob@Example.com", "--roles", "staff,user");
    expect(byEmail.code).toBe(0);
    expect(byEmail.stdout).toContain("Roles of bob@example.com: staff, user");
    // The running server learns of the change from the database (poll or broadcast).
    await eventually(async () => {
      const me = await client.get("/api/auth/me", oldToken);
      expect(me.body.error?.code).toBe("TOKEN_EXPIRED");
    });

    const byId = await cli("users", "set-roles", userId, "--roles", "staff", "--json");
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ id: userId, roles: ["staff"] });

    const unknown = await cli("users", "set-roles", "nobody@example.com", "--roles", "x");
    expect(unknown.code).toBe(65);
    expect(unknown.stderr).toContain('No user "nobody@example.com"');
  });

  it("users set-roles will not take the admin role from the last admin (exit 65, as LAST_ADMIN over HTTP)", async () => {
    const refused = await cli("users", "set-roles", "ada@example.com", "--roles", "user");
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain(
      "ada@example.com: Cannot remove the admin role of the last admin: make another user admin first",
    );
    const listed = JSON.parse((await cli("users", "list", "--json")).stdout) as {
      users: { email: string; roles: string[] }[];
    };
    expect(listed.users.find((user) => user.email === "ada@example.com")?.roles).toEqual([
      "admin",
      "user",
    ]);
  });

  it("sessions revoke --user ends every session: refresh fails, access tokens are rejected", async () => {
    const sessions = await Promise.all(
      [1, 2].map(() =>
        new TestClient(server!.url).post("/api/auth/login", {
          email: "ada@example.com",
          password: PASSWORD,
          transport: "body",
        }),
      ),
    );
    const result = await cli("sessions", "revoke", "--user", "ada@example.com", "--json");
    expect(result.code).toBe(0);
    // Two sessions here, plus the one from the login test above.
    expect(JSON.parse(result.stdout)).toMatchObject({ email: "ada@example.com", revoked: 3 });

    const client = new TestClient(server!.url);
    for (const session of sessions) {
      const refresh = await client.post("/api/auth/refresh", {
        refreshToken: session.body.refreshToken,
      });
      expect(refresh.status).toBe(401);
      expect(SESSION_ENDING_CODES.has(refresh.body.error.code as ErrorCode)).toBe(true);
      await eventually(async () => {
        const me = await client.get("/api/auth/me", session.body.accessToken);
        expect(me.body.error?.code).toBe("SESSION_REVOKED");
      });
    }
    const again = await cli("sessions", "revoke", "--user", "ada@example.com");
    expect(again).toMatchObject({ code: 0, stdout: "Revoked 0 sessions of ada@example.com.\n" });
    const unknown = await cli(
      "sessions",
      "revoke",
      "--user",
      "00000000-0000-0000-0000-000000000000",
    );
    expect(unknown.code).toBe(65);
  });

  it("keys list shows the active key; keys rotate retires it; both stay in the JWKS", async () => {
    const before = await cli("keys", "list", "--json");
    expect(before.code).toBe(0);
    const [original] = JSON.parse(before.stdout) as { kid: string; active: boolean }[];
    expect(original).toMatchObject({ alg: "EdDSA", active: true, retiredAt: null });

    const rotated = await cli("keys", "rotate");
    expect(rotated.code).toBe(0);
    const newKid = /New signing key (\S+) \(Ed25519\) is active\./.exec(rotated.stdout)?.[1];
    expect(newKid).toBeDefined();
    expect(rotated.stdout).toContain(`Retired ${original!.kid}: it verifies tokens until `);

    const table = await cli("keys", "list");
    const rows = table.stdout.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^KID\s+ALG\s+CREATED\s+RETIRED\s+STATE$/);
    expect(rows[1]).toMatch(new RegExp(`^${newKid}\\s+EdDSA\\s.*\\s-\\s+active \\(signs\\)$`));
    expect(rows[2]).toMatch(new RegExp(`^${original!.kid}\\s+EdDSA\\s.*verifies until `));

    const after = JSON.parse((await cli("keys", "list", "--json")).stdout);
    expect(after).toMatchObject([
      { kid: newKid, active: true, verifying: true },
      { kid: original!.kid, active: false, verifying: true },
    ]);
    // Another instance started now (or the running one after its next key check) publishes both.
    const other = await startServer({
      databaseUrl: db.databaseUrl,
      port: 0,
      host: "127.0.0.1",
      logger: false,
    });
    try {
      const jwks = (await new TestClient(other.url).get("/.well-known/jwks.json")).body;
      expect(jwks.keys.map((key: { kid: string }) => key.kid).sort()).toEqual(
        [newKid, original!.kid].sort(),
      );
      const login = await new TestClient(other.url).post("/api/auth/login", {
        email: "bob@example.com",
        password: PASSWORD,
      });
      const header = JSON.parse(
        Buffer.from((login.body.accessToken as string).split(".")[0]!, "base64url").toString(),
      );
      expect(header.kid).toBe(newKid);
    } finally {
      await other.close();
    }
  });
});

/**
 * The founding documents' user tables, imported as their apps wrote them (issue 13 §4,
 * docs/migrating.md): seed 000's mongoose users (mongoexport: `_id` ObjectId, `fullName`, bcrypt
 * in `password`) and seed 003's Sequelize users (serial `id`, `role`, hashes written by the
 * `argon2` package for Node, whose PHC parameters come in the order m,p,t). The users log in with
 * their old passwords, and keep their ids: the apps' other tables point at them, and Baton's
 * access tokens carry them as `sub`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import argon2 from "argon2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "@baton/server";
import { TestClient } from "../support/http-client.js";
import { runCli, scratchDatabase } from "./run-cli.js";

const PASSWORD = "seed-app password";
const OBJECT_ID = "65f1c0ffee0123456789abcd";

describe("baton import-users with the seeds' own data", () => {
  const db = scratchDatabase("import-seeds");
  const cli = (...args: string[]) => runCli(args, { env: db.env });
  let server: Awaited<ReturnType<typeof startServer>>;
  let argon2NodeHash: string;

  beforeAll(async () => {
    argon2NodeHash = await argon2.hash(PASSWORD, { memoryCost: 1024, timeCost: 2 });
    const mongo = [
      {
        _id: { $oid: OBJECT_ID },
        fullName: "Ada Lovelace",
        email: "ada@example.com",
        password: await bcryptHash(PASSWORD, { cost: 4 }),
        profilePic: "",
        bio: "",
        refreshToken: null,
        __v: 0,
      },
    ];
    writeFileSync(join(db.dir, "seed-000.ndjson"), mongo.map((u) => JSON.stringify(u)).join("\n"));
    writeFileSync(
      join(db.dir, "seed-003.csv"),
      [
        "id,name,email,password,role,createdAt",
        `42,Grace Hopper,grace@example.com,"${argon2NodeHash}",doctor,2025-01-02 03:04:05`,
        `43,Alan Turing,alan@example.com,"${argon2NodeHash}",admin,2025-01-02 03:04:05`,
        `42,Same Id,other@example.com,"${argon2NodeHash}",admin,2025-01-02 03:04:05`,
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await server?.close();
    db.remove();
  });

  it("the argon2 package for Node writes its parameters m,p,t", () => {
    expect(argon2NodeHash).toMatch(/^\$argon2id\$v=19\$m=1024,p=\d+,t=2\$/);
  });

  it("imports seed 000's mongoexport and seed 003's table, ids kept (exit 65 for the one clash)", async () => {
    // Seed 000's users are marked verified (--verified); seed 003's are imported unverified.
    const mongo = await cli(
      "import-users",
      join(db.dir, "seed-000.ndjson"),
      "--json",
      "--verified",
    );
    expect(mongo.stderr).not.toContain("rejected row");
    expect(JSON.parse(mongo.stdout)).toMatchObject({ rows: 1, accepted: 1, rejected: 0 });
    expect(mongo.code).toBe(0);

    const sql = await cli("import-users", join(db.dir, "seed-003.csv"));
    expect(sql.stdout).toContain("Imported 2 of 3 rows");
    expect(sql.stderr).toContain(
      'rejected row 3 (line 4) "other@example.com": DUPLICATE_IN_FILE same id as row 1',
    );
    expect(sql.code).toBe(65);

    // Again: every row is already there, by email; an id taken by another account says so.
    writeFileSync(
      join(db.dir, "clash.ndjson"),
      JSON.stringify({ id: 42, email: "new@example.com", password: argon2NodeHash }),
    );
    const clash = await cli("import-users", join(db.dir, "clash.ndjson"));
    expect(clash.stderr).toContain(
      'rejected row 1 (line 1) "new@example.com": ID_EXISTS id 42 belongs to another account; left unchanged',
    );
  });

  describe("the imported users sign in", () => {
    beforeAll(async () => {
      server = await startServer({
        databaseUrl: db.databaseUrl,
        port: 0,
        host: "127.0.0.1",
        logger: false,
        authRateLimit: 0,
      });
    });

    it.each([
      [
        "seed 000's bcrypt user, id of its ObjectId",
        "ada@example.com",
        OBJECT_ID,
        "Ada Lovelace",
        ["user"],
        true,
      ],
      [
        "seed 003's argon2 (m,p,t) user, id of its serial",
        "grace@example.com",
        "42",
        "Grace Hopper",
        ["doctor"],
        false,
      ],
    ])("%s", async (_what, email, id, name, roles, emailVerified) => {
      const client = new TestClient(server.url);
      const login = await client.post("/api/auth/login", { email, password: PASSWORD });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect(login.body.user).toMatchObject({ id, name, roles, emailVerified });
      const payload = JSON.parse(
        Buffer.from(login.body.accessToken.split(".")[1], "base64url").toString(),
      );
      expect([payload.sub, payload.email_verified]).toEqual([id, emailVerified]);
      const wrong = await client.post("/api/auth/login", { email, password: "not the password" });
      expect(wrong.status).toBe(401);
      // The stored hash was upgraded to Baton's parameters at this login; it still verifies.
      const again = await new TestClient(server.url).post("/api/auth/login", {
        email,
        password: PASSWORD,
      });
      expect(again.status).toBe(200);
    });
  });
});

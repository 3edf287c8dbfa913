import { createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, PASSWORD, type TestServer } from "../support/test-server.js";
import {
  asStoredBytes,
  consistencyProblems,
  everythingStored,
  serverKeys,
  withDatabase,
} from "./support/attack-kit.js";

// Storage and logs after a full flow: a database leak, a stolen backup or a reader of the logs
// must find no refresh token, no access token, no password and no private key — in the SQLite
// file, its WAL, the audit table, or a trace-level log of every request.

const ADMIN = { email: "root@example.com", password: "admin-password-1" };

describe("what a database leak, a backup or the logs give away", () => {
  let server: TestServer;
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  let privateKey: KeyObject;
  let storedWhileRunning: string;
  let storedAfterClose: string;

  const keep = (label: string, value: string | undefined) => {
    expect(value, label).toBeTruthy();
    secrets.set(`${label} #${secrets.size}`, value!);
  };

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    server = await startTestServer("fastify", {
      logger: pino({ level: "trace" }, sink),
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
    });
    privateKey = serverKeys(server).privateKey;
    const jar = (client: { jar: Map<string, string> }) => client.jar.get("refresh_token");
    keep("password", PASSWORD);
    keep("admin password", ADMIN.password);

    // Browser user: register, refresh, a grace replay, a failed login, a password change.
    const ada = await signUp(server, "ada@example.com", { name: "Ada" });
    keep("access token", ada.accessToken);
    const firstRefresh = jar(ada.client)!;
    keep("refresh token", firstRefresh);
    const refreshed = await ada.client.post("/api/auth/refresh");
    keep("access token", refreshed.body.accessToken);
    keep("refresh token", jar(ada.client));
    await server.client().post("/api/auth/refresh", undefined, {
      headers: { cookie: `refresh_token=${firstRefresh}` },
    });
    const wrong = "a wrong guess at the password";
    keep("wrong password", wrong);
    await server.client().post("/api/auth/login", { email: "ada@example.com", password: wrong });
    const newPassword = "the second password of ada";
    keep("new password", newPassword);
    const changed = await ada.client.post(
      "/api/auth/password",
      { currentPassword: PASSWORD, newPassword },
      { token: refreshed.body.accessToken },
    );
    keep("access token", changed.body.accessToken);
    keep("refresh token", jar(ada.client));

    // Native client: body transport, rotation, recovery of a lost answer, reuse detection.
    const cli = server.client();
    const native = await cli.post("/api/auth/register", {
      email: "cli@example.com",
      password: PASSWORD,
      transport: "body",
    });
    keep("refresh token", native.body.refreshToken);
    keep("access token", native.body.accessToken);
    const rotated = await cli.post("/api/auth/refresh", { refreshToken: native.body.refreshToken });
    keep("refresh token", rotated.body.refreshToken);
    server.clock.advance(10_001);
    const recovered = await cli.post("/api/auth/refresh", {
      refreshToken: native.body.refreshToken,
    }); // refresh.recovered: its successor was never presented
    keep("access token", recovered.body.accessToken);
    const next = await cli.post("/api/auth/refresh", { refreshToken: rotated.body.refreshToken });
    keep("refresh token", next.body.refreshToken);
    server.clock.advance(10_001);
    await cli.post("/api/auth/refresh", { refreshToken: rotated.body.refreshToken }); // REFRESH_REUSED

    // Sessions ending every way there is.
    const login = await server
      .client()
      .post("/api/auth/login", { email: "ada@example.com", password: newPassword });
    keep("access token", login.body.accessToken);
    keep("refresh token", login.setCookies[0]?.split(";")[0]?.split("=")[1]);
    await server.client().post("/api/auth/revoke", {
      refreshToken: login.setCookies[0]!.split(";")[0]!.split("=")[1],
    });
    await ada.client.post("/api/auth/logout");
    const bob = await signUp(server, "bob@example.com");
    keep("access token", bob.accessToken);
    keep("refresh token", jar(bob.client));
    await bob.client.post("/api/auth/logout-all", undefined, { token: bob.accessToken });
    const admin = await server.client().post("/api/auth/login", ADMIN);
    keep("access token", admin.body.accessToken);
    await server
      .client()
      .request("DELETE", `/api/auth/admin/users/${bob.user.id}`, { token: admin.body.accessToken });
    // Requests that carry credentials in headers, refused or not.
    await server.client().get("/api/auth/me", `${ada.accessToken}x`);
    await server.client().get("/api/private", admin.body.accessToken);

    storedWhileRunning = everythingStored(server);
    expect(consistencyProblems(server)).toEqual([]);
  });
  afterAll(() => server.close());

  const secretList = () => [...secrets.entries()];

  it("the database file, its WAL and every table hold no refresh token, access token or password — OWASP ASVS 2.4.1, RFC 9700 §4.14", () => {
    for (const [label, secret] of secretList())
      expect(storedWhileRunning.includes(asStoredBytes(secret)), label).toBe(false);
  });

  it("refresh tokens are stored only as SHA-256 hashes — RFC 9700 §4.14, OWASP Session Management Cheat Sheet", () => {
    const hashes = withDatabase(server, (db) =>
      (db.prepare("select token_hash from refresh_tokens").all() as { token_hash: string }[]).map(
        (row) => row.token_hash,
      ),
    );
    expect(hashes.length).toBeGreaterThan(5);
    for (const hash of hashes) expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const known = secretList()
      .filter(([label]) => label.startsWith("refresh token"))
      .map(([, token]) => createHash("sha256").update(token).digest("base64url"));
    expect(known.filter((hash) => hashes.includes(hash)).length).toBeGreaterThan(0);
  });

  it("passwords are stored as argon2id with the OWASP parameters (m=19 MiB, t=2, p=1) — OWASP ASVS 2.4.1, 2.4.4", () => {
    const hashes = withDatabase(server, (db) =>
      db.prepare("select password_hash from users").all(),
    ) as {
      password_hash: string;
    }[];
    for (const { password_hash } of hashes)
      expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("the private signing key is stored sealed: not in PEM, DER, JWK or raw form — OWASP ASVS 6.4.2", () => {
    const jwk = privateKey.export({ format: "jwk" });
    const forms = [
      privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
      privateKey.export({ type: "pkcs8", format: "der" }).toString("base64url"),
      jwk.d!,
      Buffer.from(jwk.d!, "base64url").toString("hex"),
      asStoredBytes(Buffer.from(jwk.d!, "base64url").toString("latin1")),
    ];
    for (const form of forms) expect(storedWhileRunning.includes(form)).toBe(false);
    expect(storedWhileRunning).not.toContain("PRIVATE KEY");
    const sealed = withDatabase(server, (db) =>
      db.prepare("select sealed_private_key from signing_keys").all(),
    ) as {
      sealed_private_key: string;
    }[];
    for (const { sealed_private_key } of sealed) {
      expect(sealed_private_key).toMatch(/^v1\./);
      expect(() => createPrivateKey(sealed_private_key)).toThrow();
    }
  });

  it("an insider with read access cannot use anything in the database as a refresh or access token — OWASP ASVS 3.5.3", async () => {
    const values = withDatabase(server, (db) => {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
        name: string;
      }[];
      const found = new Set<string>();
      for (const { name } of tables)
        for (const row of db.prepare(`select * from "${name}"`).all() as Record<string, unknown>[])
          for (const value of Object.values(row))
            if (typeof value === "string" && /^[\x20-\x7e]{16,512}$/.test(value)) found.add(value);
      return [...found];
    });
    expect(values.length).toBeGreaterThan(10);
    const client = server.client();
    for (const value of values) {
      const refresh = await client.post(
        "/api/auth/refresh",
        { refreshToken: value },
        { cookies: false },
      );
      expect(refresh.status, value.slice(0, 20)).not.toBe(200);
      const bearer = await client.get("/api/private", undefined, {
        headers: { authorization: `Bearer ${value}` },
      });
      expect(bearer.status, value.slice(0, 20)).not.toBe(200);
    }
  });

  it("the trace-level log of the whole flow holds no token, password, hash or cookie — OWASP ASVS 7.1.1, 7.1.2", () => {
    const log = lines.join("");
    expect(log).toContain("login.succeeded");
    expect(log).toContain("refresh.reused");
    for (const [label, secret] of secretList()) expect(log.includes(secret), label).toBe(false);
    expect(log).not.toMatch(/\$argon2id\$/);
    expect(log).not.toMatch(/PRIVATE KEY/);
  });

  it("the audit events of the flow hold no token or password — OWASP ASVS 7.1.1", () => {
    const events =
      JSON.stringify(server.events) +
      JSON.stringify(withDatabase(server, (db) => db.prepare("select * from audit_events").all()));
    for (const type of [
      "user.registered",
      "refresh.grace",
      "refresh.recovered",
      "refresh.reused",
      "password.changed",
      "token.revoked",
      "user.deleted",
    ])
      expect(events).toContain(type);
    for (const [label, secret] of secretList()) expect(events.includes(secret), label).toBe(false);
  });

  it("after shutdown (WAL checkpointed into the file) the data directory still holds no secret — OWASP ASVS 2.4.1", async () => {
    const dir = server.dir;
    const secretFile = statSync(join(dir, "baton.secret"));
    expect(secretFile.mode & 0o077, "the generated root secret is readable by its owner only").toBe(
      0,
    );
    await server.baton.close();
    storedAfterClose = everythingStored(server);
    for (const [label, secret] of secretList())
      expect(storedAfterClose.includes(asStoredBytes(secret)), label).toBe(false);
  });
});

describe("file permissions of the data Baton keeps on disk", () => {
  const parents: string[] = [];
  afterAll(() => {
    for (const parent of parents) rmSync(parent, { recursive: true, force: true });
  });
  const scratch = () => {
    const parent = mkdtempSync(join(tmpdir(), "baton-modes-"));
    parents.push(parent);
    return parent;
  };
  const modeOf = (path: string) => statSync(path).mode & 0o777;
  const octal = (mode: number) => `0${mode.toString(8)}`;

  /** Starts Baton on `file`, writes through it (so -wal and -shm exist), then returns the modes while it runs. */
  async function modesAfterUse(file: string, files: string[]): Promise<Record<string, string>> {
    const server = await startTestServer("fastify", { databaseUrl: `sqlite:${file}` });
    try {
      const ada = await signUp(server, `modes-${Math.random().toString(36).slice(2)}@example.com`);
      await ada.client.post("/api/auth/refresh");
      return Object.fromEntries(files.map((path) => [path, octal(modeOf(path))]));
    } finally {
      await server.close();
    }
  }

  it("a first start: the data folder Baton creates is 0700; the database, its -wal and -shm, and baton.secret are 0600 — CWE-732 (incorrect permission assignment)", async () => {
    const folder = join(scratch(), "data");
    const file = join(folder, "baton.db");
    const modes = await modesAfterUse(file, [
      folder,
      file,
      `${file}-wal`,
      `${file}-shm`,
      join(folder, "baton.secret"),
    ]);
    expect(modes).toEqual({
      [folder]: "0700",
      [file]: "0600",
      [`${file}-wal`]: "0600",
      [`${file}-shm`]: "0600",
      [join(folder, "baton.secret")]: "0600",
    });
  });

  it("an older version's data (database 0644 in a 0755 folder of Baton's files only) is tightened at start — CWE-732", async () => {
    const folder = join(scratch(), "data");
    const file = join(folder, "baton.db");
    await modesAfterUse(file, []);
    chmodSync(folder, 0o755);
    chmodSync(file, 0o644);
    for (const companion of ["-wal", "-shm"])
      if (existsSync(file + companion)) chmodSync(file + companion, 0o644);
    const modes = await modesAfterUse(file, [folder, file, `${file}-wal`, `${file}-shm`]);
    expect(modes).toEqual({
      [folder]: "0700",
      [file]: "0600",
      [`${file}-wal`]: "0600",
      [`${file}-shm`]: "0600",
    });
  });

  it("a folder that holds other files too (the user's project) is never chmodded; the database in it still is 0600 — CWE-732", async () => {
    const folder = scratch();
    chmodSync(folder, 0o755);
    writeFileSync(join(folder, "package.json"), "{}\n");
    const file = join(folder, "app.db");
    const modes = await modesAfterUse(file, [
      folder,
      file,
      `${file}-wal`,
      join(folder, "package.json"),
    ]);
    expect(modes[folder]).toBe("0755");
    expect(modes[file]).toBe("0600");
    expect(modes[`${file}-wal`]).toBe("0600");
    expect(modes[join(folder, "package.json")]).toBe("0644");
  });
});

import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, scratchDatabase } from "./run-cli.js";

const COMMANDS = [
  "serve",
  "migrate",
  "keys rotate",
  "keys list",
  "users create",
  "users list",
  "users set-roles",
  "sessions revoke",
  "import-users",
  "secret",
];

describe.concurrent("baton --help", () => {
  it("lists every command with the exit codes", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(`  ${command} `);
    expect(result.stdout).toMatch(/Exit codes: 0 success, 1 .*2 usage error, 65 .*78 /s);
  });

  it.each(COMMANDS)("baton %s --help prints its usage and exit codes, exit 0", async (command) => {
    const result = await runCli([...command.split(" "), "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: baton ${command}`);
    expect(result.stdout).toContain("Exit codes:");
    expect(result.stderr).toBe("");
  });

  it("`baton help users create` and `-h` print the same help", async () => {
    const [help, short] = await Promise.all([
      runCli(["help", "users", "create"]),
      runCli(["users", "create", "-h"]),
    ]);
    expect(help).toMatchObject({ code: 0, stdout: short.stdout });
  });

  it("a group without a sub-command lists its commands: exit 0 with --help, 2 without", async () => {
    const [asked, missing] = await Promise.all([runCli(["users", "--help"]), runCli(["users"])]);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/users create[\s\S]*users list[\s\S]*users set-roles/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("baton users: missing command");
  });

  it("unknown commands and sub-commands exit 2", async () => {
    const results = await Promise.all([
      runCli(["frobnicate"]),
      runCli(["users", "frobnicate"]),
      runCli(["help", "frobnicate"]),
    ]);
    for (const result of results) expect(result.code).toBe(2);
    expect(results[1].stderr).toContain('Unknown command "users frobnicate"');
  });
});

// Every usage error is found before the database is opened: the scratch directory stays empty.
describe.concurrent("usage errors exit 2, name the problem, and touch nothing", () => {
  const db = scratchDatabase("usage");
  afterAll(() => {
    expect(existsSync(join(db.dir, "baton.db"))).toBe(false);
    db.remove();
  });
  const csv = join(db.dir, "users.csv");
  writeFileSync(csv, "email,password_hash\n");

  it.each([
    [["users", "create"], /--email is required/],
    [["users", "create", "--email", "a@b.co"], /exactly one of --password and --password-stdin/],
    [
      ["users", "create", "--email", "a@b.co", "--password", "password123", "--password-stdin"],
      /exactly one of --password and --password-stdin/,
    ],
    [["users", "create", "--email", "nope", "--password", "password123"], /email must be an email/],
    [["users", "create", "--email", "a@b.co", "--password", "short"], /Password must be 8 to 256/],
    [
      ["users", "create", "--email", "a@b.co", "--password", "password123", "--roles", "a b"],
      /roles must be/,
    ],
    [["users", "create", "extra", "--email", "a@b.co"], /unexpected argument "extra"/],
    [["users", "create", "--email"], /--email <value>' argument missing/],
    [["users", "list", "--limit", "0"], /--limit must be a whole number from 1 to 1000/],
    [["users", "list", "--offset", "-1"], /--offset/],
    [["users", "list", "--colour"], /Unknown option '--colour'$/m],
    [["users", "set-roles", "--roles", "a"], /missing <email\|id>/],
    [["users", "set-roles", "a@b.co"], /--roles is required/],
    [["users", "set-roles", "a@b.co", "b@c.de", "--roles", "a"], /unexpected argument "b@c.de"/],
    [["users", "set-roles", "a@", "--roles", "a"], /"a@" is not an email address/],
    [["sessions", "revoke"], /--user is required/],
    [["keys", "rotate", "now"], /Unexpected argument 'now'/],
    [["keys", "list", "--all"], /Unknown option '--all'/],
    [["migrate", "--force"], /Unknown option '--force'/],
    [["serve", "--port", "1"], /Unknown option '--port'/],
    [["import-users"], /missing <file>/],
    [["import-users", csv, "--format", "xml"], /--format must be one of json, ndjson, csv/],
    [["import-users", join(db.dir, "missing.csv")], /cannot read .*missing\.csv: ENOENT/],
    [["import-users", "-"], /--format is required when reading stdin/],
    [["import-users", csv, "--report", join(db.dir, "no", "r.json")], /cannot write --report/],
  ])("baton %j", async (args, message) => {
    const result = await runCli(args, { env: db.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Run `baton [a-z -]+ --help` for usage\./);
    expect(result.stdout).toBe("");
  });
});

describe.concurrent("configuration errors exit 78", () => {
  it("an invalid DATABASE_URL is named", async () => {
    const result = await runCli(["migrate"], { env: { DATABASE_URL: "mysql://db/baton" } });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/DATABASE_URL: "mysql:\/\/db\/baton" must start with sqlite:/);
  });

  it("commands that use the keys refuse production without BATON_SECRET, like serve", async () => {
    const result = await runCli(["users", "list"], {
      env: { NODE_ENV: "production", DATABASE_URL: "sqlite::memory:" },
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/BATON_SECRET is required in production/);
  });

  it("keys commands need the EdDSA key ring", async () => {
    const env = {
      DATABASE_URL: "sqlite::memory:",
      JWT_ALG: "HS256",
      JWT_SECRET: randomBytes(32).toString("base64url"),
    };
    const [rotate, list] = await Promise.all([
      runCli(["keys", "rotate"], { env }),
      runCli(["keys", "list"], { env }),
    ]);
    expect(rotate.code).toBe(78);
    expect(list.code).toBe(78);
    expect(rotate.stderr).toMatch(/HS256 signs with JWT_SECRET and has no key ring/);
  });
});

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hash as argon2Hash } from "@node-rs/argon2";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, startServer } from "@baton/server";
import { TestClient } from "../support/http-client.js";
import { runCli, scratchDatabase, type CliResult } from "./run-cli.js";

const PASSWORD = "seed-app password";
const ROWS = 3000;

type Code =
  | "MALFORMED_ROW"
  | "EMAIL_INVALID"
  | "HASH_MISSING"
  | "HASH_UNSUPPORTED"
  | "NAME_INVALID"
  | "ROLES_INVALID"
  | "CREATED_AT_INVALID"
  | "DUPLICATE_IN_FILE"
  | "EMAIL_EXISTS";

/** What the generated files hold, so the tests can check counts exactly. */
interface Expected {
  accepted: number;
  byCode: Partial<Record<Code, number>>;
  /** Row number → code, for every bad row. */
  bad: Map<number, Code>;
}

const count = (expected: Expected, row: number, code: Code) => {
  expected.byCode[code] = (expected.byCode[code] ?? 0) + 1;
  expected.bad.set(row, code);
};

/**
 * A seed app's users table as CSV (a Postgres/MySQL export): snake_case columns, bcrypt hashes,
 * first/last names, roles separated by ";", SQL datetimes. Every 50 rows carry one of each
 * kind of bad row, and one row has a field too many.
 */
function csvFile(bcrypt: string, argon2: string): { text: string; expected: Expected } {
  const expected: Expected = { accepted: 0, byCode: {}, bad: new Map() };
  const lines = ["id,email,password_hash,first_name,last_name,role,created_at"];
  for (let i = 1; i <= ROWS; i++) {
    let email = `csv.user${i}@example.com`;
    let hash = i % 10 === 0 ? argon2 : bcrypt;
    let created = "2024-01-02 03:04:05";
    let extra = "";
    let role = "user;editor";
    switch (i % 50) {
      case 7:
        email = "not-an-email";
        count(expected, i, "EMAIL_INVALID");
        break;
      case 13:
        hash = "plaintext-password";
        count(expected, i, "HASH_UNSUPPORTED");
        break;
      case 17:
        hash = bcrypt.replace(/^\$2[aby]\$/, "$2x$");
        count(expected, i, "HASH_UNSUPPORTED");
        break;
      case 19:
        hash = "";
        count(expected, i, "HASH_MISSING");
        break;
      case 21:
        // The previous row's address, spelled differently: one mailbox after normalisation.
        email = `CSV.User${i - 1}@Example.COM`;
        count(expected, i, "DUPLICATE_IN_FILE");
        break;
      case 29:
        created = "last tuesday";
        count(expected, i, "CREATED_AT_INVALID");
        break;
      case 31:
        role = "adm!n;user";
        count(expected, i, "ROLES_INVALID");
        break;
      default:
        if (i === 1234) {
          extra = ",surplus";
          count(expected, i, "MALFORMED_ROW");
        } else {
          expected.accepted++;
        }
    }
    // argon2's PHC string has commas (m=...,t=...,p=...): quoted, as every CSV writer does.
    lines.push(`${i},${email},"${hash}",First${i},"Last, ${i}",${role},${created}${extra}`);
  }
  return { text: `${lines.join("\n")}\n`, expected };
}

/**
 * A MongoDB export (mongoexport --jsonArray) of the seeds' mongoose users: `fullName`, bcrypt in
 * `password`, extended-JSON `_id` and dates. Its first 100 emails are also in the CSV file.
 */
function jsonFile(bcrypt: string, csvExpected: Expected): { text: string; expected: Expected } {
  const expected: Expected = { accepted: 0, byCode: {}, bad: new Map() };
  const users: unknown[] = [];
  for (let i = 1; i <= ROWS; i++) {
    const row = i;
    if (i <= 100) {
      users.push({ email: `csv.user${i}@example.com`, password: bcrypt });
      // Rows the CSV import rejected are not in the database: those import now.
      if (csvExpected.bad.has(i)) expected.accepted++;
      else count(expected, row, "EMAIL_EXISTS");
      continue;
    }
    const user: Record<string, unknown> = {
      _id: { $oid: i.toString(16).padStart(24, "0") },
      fullName: `Mongo User ${i}`,
      email: `mongo.user${i}@example.com`,
      password: bcrypt,
      profilePic: "",
      createdAt: { $date: "2023-05-06T07:08:09.000Z" },
      __v: 0,
    };
    if (i % 100 === 3) {
      delete user.email;
      count(expected, row, "EMAIL_INVALID");
    } else if (i % 100 === 5) {
      user.fullName = "x".repeat(101);
      count(expected, row, "NAME_INVALID");
    } else if (i % 100 === 9) {
      users.push("not an object");
      count(expected, row, "MALFORMED_ROW");
      continue;
    } else {
      expected.accepted++;
    }
    users.push(user);
  }
  return { text: JSON.stringify(users, null, 1), expected };
}

function summaryOf(result: CliResult) {
  return JSON.parse(result.stdout) as {
    rows: number;
    accepted: number;
    rejected: number;
    rejectedByCode: Record<string, number>;
    rowsPerSecond: number;
    dryRun: boolean;
    aborted: string | null;
  };
}

describe("baton import-users", () => {
  const db = scratchDatabase("import");
  const csvPath = join(db.dir, "users.csv");
  const jsonPath = join(db.dir, "users.json");
  const reportPath = join(db.dir, "report.json");
  let csv: ReturnType<typeof csvFile>;
  let json: ReturnType<typeof jsonFile>;
  const cli = (...args: string[]) => runCli(args, { env: db.env });
  const userCount = async () =>
    JSON.parse((await cli("users", "list", "--limit", "1", "--json")).stdout).total as number;

  beforeAll(async () => {
    const bcrypt = await bcryptHash(PASSWORD, { cost: 4 });
    const argon2 = await argon2Hash(PASSWORD, { memoryCost: 1024, timeCost: 1 });
    csv = csvFile(bcrypt, argon2);
    json = jsonFile(bcrypt, csv.expected);
    writeFileSync(csvPath, csv.text);
    writeFileSync(jsonPath, json.text);
  });
  afterAll(() => db.remove());

  it("--dry-run on a database that does not exist yet does not create it", async () => {
    const result = await cli("import-users", csvPath, "--dry-run", "--json");
    expect(result.code).toBe(65);
    expect(summaryOf(result)).toMatchObject({ dryRun: true, accepted: csv.expected.accepted });
    expect(existsSync(join(db.dir, "baton.db"))).toBe(false);
  });

  it("--dry-run checks every row and writes nothing", async () => {
    expect((await cli("migrate")).code).toBe(0);
    const result = await cli("import-users", csvPath, "--dry-run");
    expect(result.code).toBe(65);
    expect(result.stdout).toContain(
      `Dry run: ${csv.expected.accepted.toLocaleString("en-US")} of 3,000 rows of ${csvPath} would be imported`,
    );
    expect(result.stdout).toContain("Nothing was written.");
    expect(await userCount()).toBe(0);
  });

  it("imports a CSV file: valid rows in, bad rows reported with row, line and reason (exit 65)", async () => {
    const result = await cli("import-users", csvPath, "--report", reportPath, "--json");
    expect(result.code).toBe(65);
    const summary = summaryOf(result);
    expect(summary).toMatchObject({
      rows: ROWS,
      accepted: csv.expected.accepted,
      rejected: ROWS - csv.expected.accepted,
      rejectedByCode: csv.expected.byCode,
      aborted: null,
    });
    console.log(`import-users: CSV ${ROWS} rows at ${summary.rowsPerSecond} rows/s`);

    const report = JSON.parse(readFileSync(reportPath, "utf8"));
    expect(report.summary).toEqual(summary);
    expect(report.rejections).toHaveLength(ROWS - csv.expected.accepted);
    for (const rejection of report.rejections) {
      expect(rejection.code).toBe(csv.expected.bad.get(rejection.row));
      expect(rejection.line).toBe(rejection.row + 1); // the header is line 1
    }
    expect(report.rejections[0]).toEqual({
      row: 7,
      line: 8,
      email: "not-an-email",
      code: "EMAIL_INVALID",
      reason: "email is not an email address",
    });
    expect(report.rejections).toContainEqual({
      row: 21,
      line: 22,
      email: "csv.user20@example.com",
      code: "DUPLICATE_IN_FILE",
      reason: "same email as row 20",
    });
    expect(report.rejections).toContainEqual(
      expect.objectContaining({
        row: 1234,
        code: "MALFORMED_ROW",
        reason: "has 8 fields; the header has 7",
      }),
    );
    // A report names what is wrong with a hash without quoting it.
    expect(readFileSync(reportPath, "utf8")).not.toMatch(
      /\$2[abxy]\$\d\d\$|\$argon2id\$v=|plaintext-password/,
    );
    expect(await userCount()).toBe(csv.expected.accepted);
  });

  it("imports a JSON array; emails already in the database are skipped, not overwritten", async () => {
    const result = await cli("import-users", jsonPath);
    expect(result.code).toBe(65);
    expect(result.stdout).toContain(
      `Imported ${json.expected.accepted.toLocaleString("en-US")} of 3,000 rows of ${jsonPath}`,
    );
    // Without --report the first 100 rejections go to stderr, then a count of the rest.
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(
      'rejected row 1 "csv.user1@example.com": EMAIL_EXISTS already registered; left unchanged',
    );
    const rejected = ROWS - json.expected.accepted;
    expect(lines.filter((line) => line.startsWith("rejected row"))).toHaveLength(100);
    expect(lines.at(-1)).toBe(
      `... and ${(rejected - 100).toLocaleString("en-US")} more rejected rows: use --report <file> for all of them`,
    );
    expect(await userCount()).toBe(csv.expected.accepted + json.expected.accepted);
  });

  it("running the same import again changes nothing (every row EMAIL_EXISTS or invalid)", async () => {
    const before = await userCount();
    const summary = summaryOf(await cli("import-users", csvPath, "--json"));
    expect(summary.accepted).toBe(0);
    expect(summary.rejectedByCode.EMAIL_EXISTS).toBe(csv.expected.accepted);
    expect(await userCount()).toBe(before);
  });

  it("reads NDJSON from stdin with --format ndjson; a bad line is one rejected row", async () => {
    const bcrypt = await bcryptHash(PASSWORD, { cost: 4 });
    const input = [
      JSON.stringify({ email: "nd1@example.com", passwordHash: bcrypt, roles: ["reader"] }),
      "",
      "{not json",
      JSON.stringify({ email: "nd2@example.com", hash: bcrypt.replace("$2b$", "$2y$") }),
    ].join("\n");
    const result = await runCli(["import-users", "-", "--format", "ndjson", "--json"], {
      env: db.env,
      input,
    });
    expect(result.code).toBe(65);
    expect(summaryOf(result)).toMatchObject({ rows: 3, accepted: 2, rejected: 1 });
    expect(result.stderr).toContain("rejected row 2 (line 3): MALFORMED_ROW is not valid JSON");
  });

  it("a file that breaks off stops the import with exit 65 and says where", async () => {
    const bcrypt = await bcryptHash(PASSWORD, { cost: 4 });
    const broken = join(db.dir, "broken.json");
    writeFileSync(broken, `[{"email":"cut1@example.com","password":"${bcrypt}"},{"email":`);
    const result = await cli("import-users", broken);
    expect(result.code).toBe(65);
    expect(result.stdout).toContain("Imported 1 of 1 rows");
    expect(result.stderr).toMatch(
      /Import stopped: not a valid JSON array of objects after record 1/,
    );

    const noHash = join(db.dir, "no-hash.csv");
    writeFileSync(noHash, "email,name\nx@example.com,X\n");
    const header = await cli("import-users", noHash);
    expect(header.code).toBe(65);
    expect(header.stderr).toMatch(/has no password_hash \(or password, hash\) column/);
  });

  describe("imported users log in through the HTTP API at once", () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      server = await startServer({
        databaseUrl: db.databaseUrl,
        port: 0,
        host: "127.0.0.1",
        logger: false,
        authRateLimit: 0,
      });
    });
    afterAll(() => server.close());

    it.each([
      ["a bcrypt user from the CSV", "csv.user1@example.com"],
      ["an argon2 user from the CSV", "csv.user10@example.com"],
      ["a bcrypt user from the JSON", "mongo.user101@example.com"],
      ["a $2y$ user from NDJSON", "nd2@example.com"],
    ])("%s", async (_what, email) => {
      const client = new TestClient(server.url);
      const login = await client.post("/api/auth/login", { email, password: PASSWORD });
      expect(login.status).toBe(200);
      const wrong = await client.post("/api/auth/login", { email, password: "not the password" });
      expect(wrong.status).toBe(401);
    });

    it("keeps name, roles and creation date, and upgrades bcrypt to argon2id at login", async () => {
      const login = await new TestClient(server.url).post("/api/auth/login", {
        email: "csv.user2@example.com",
        password: PASSWORD,
      });
      expect(login.body.user).toMatchObject({
        name: "First2 Last, 2",
        roles: ["user", "editor"],
        createdAt: "2024-01-02T03:04:05.000Z",
      });
      const mongo = await new TestClient(server.url).post("/api/auth/login", {
        email: "mongo.user102@example.com",
        password: PASSWORD,
      });
      expect(mongo.body.user).toMatchObject({
        name: "Mongo User 102",
        roles: ["user"],
        createdAt: "2023-05-06T07:08:09.000Z",
      });

      const store = await openStore(db.databaseUrl);
      try {
        const upgraded = await store.findUserByEmail("csv.user2@example.com");
        const untouched = await store.findUserByEmail("csv.user3@example.com");
        expect(upgraded?.passwordHash).toMatch(/^\$argon2id\$/);
        expect(untouched?.passwordHash).toMatch(/^\$2b\$04\$/);
      } finally {
        await store.close();
      }
    });
  });
});

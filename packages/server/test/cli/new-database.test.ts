import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

// Issue 13 item 3: `baton` run without DATABASE_URL outside a project used to create
// ./data/baton.db wherever it was started, silently. It now says what it is about to create, and
// where, before creating it; a database that exists already is used without a word.
describe("baton without DATABASE_URL in an empty folder", () => {
  const cwd = realpathSync(mkdtempSync(join(tmpdir(), "baton-nodb-")));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("names the SQLite file it creates, then uses it quietly", async () => {
    const first = await runCli(["migrate"], { cwd });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(
      `DATABASE_URL is not set: creating a new SQLite database at ${join(cwd, "data/baton.db")}`,
    );
    const again = await runCli(["users", "list"], { cwd });
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain("creating a new SQLite database");
  });

  it("says the same before commands that start Baton itself", async () => {
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), "baton-nodb-")));
    try {
      const result = await runCli(["users", "list"], { cwd: elsewhere });
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(
        `creating a new SQLite database at ${join(elsewhere, "data/baton.db")}`,
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("names the file of an explicit sqlite: URL too, relative to the folder it runs in", async () => {
    const result = await runCli(["migrate"], { cwd, env: { DATABASE_URL: "sqlite:other.db" } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`creating a new SQLite database at ${join(cwd, "other.db")}`);
    expect(result.stderr).not.toContain("DATABASE_URL is not set");
  });
});

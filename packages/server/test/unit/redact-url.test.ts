import { describe, expect, it } from "vitest";
import { redactUrl } from "../../src/logging.js";
import { openStore } from "../../src/store/open-store.js";

// One masking rule for every database URL Baton prints (banner, `baton migrate`, the error for
// an unsupported URL): the password goes, the rest stays so the reader can tell which database.
describe("a database URL fit to print", () => {
  it.each([
    ["postgres://baton:s3cret@db.internal:5432/auth", "postgres://baton:***@db.internal:5432/auth"],
    ["postgresql://baton:p%40ss:word@db/auth", "postgresql://baton:***@db/auth"],
    ["mysql+pymysql://root:hunter2@db/app", "mysql+pymysql://root:***@db/app"],
    ["postgres://baton@db/auth", "postgres://baton@db/auth"],
    ["postgres://db/auth", "postgres://db/auth"],
    ["sqlite:/var/lib/baton/baton.db", "sqlite:/var/lib/baton/baton.db"],
    ["sqlite::memory:", "sqlite::memory:"],
  ])("%s is printed as %s", (url, printed) => {
    expect(redactUrl(url)).toBe(printed);
  });

  it("the error for an unsupported URL names it without its password", async () => {
    const error = await openStore("mysql://root:hunter2@db/app").then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).toContain('"mysql://root:***@db/app"');
    expect(error?.message).not.toContain("hunter2");
  });
});

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { Store } from "../../store/store.js";
import {
  EXIT,
  UsageError,
  parseCommandLine,
  positionals,
  writeJson,
  type CliIo,
  type Command,
} from "../command.js";
import { databaseUrlFromEnv, openStoreAt } from "../environment.js";
import { Progress } from "../import/progress.js";
import {
  IMPORT_FORMATS,
  MalformedInputError,
  openRecordSource,
  type ImportFormat,
  type RecordSource,
  type SourceRecord,
} from "../import/record-source.js";
import { RejectionReport, type ImportSummary, type Rejection } from "../import/rejection-report.js";
import { checkRow } from "../import/user-row.js";

const NAME = "import-users";
/** Rows whose database work may run at once (below the PostgreSQL pool size of 10). */
const IN_FLIGHT = 8;

export const importUsers: Command = {
  help: `Usage: baton import-users <file> [--format json|ndjson|csv] [--dry-run] [--report <file>]
                          [--new-ids] [--verified] [--json]

Imports user accounts with their existing password hashes, as the seed apps stored them, so the
users keep their passwords. bcrypt hashes ($2a$, $2b$, $2y$) are upgraded to argon2id at each
user's first login; argon2 hashes ($argon2id$...) are used as they are. The file is streamed:
its size does not matter.

Formats (detected from the first character, else the extension; <file> - reads stdin and then
--format is required):
  json     an array of objects            [{"email": ..., "password": "$2b$10$..."}, ...]
  ndjson   one object per line            (mongoexport's default output)
  csv      a header row, then one user per line

Fields (names compared ignoring case, "_", "-" and spaces, so password_hash = passwordHash):
  email                               required; normalised as registration does
  id, _id, user_id, uuid              optional; kept as the user's id (access tokens carry it as
                                      sub), so the app's other tables still point at the user:
                                      letters, digits and _.:- up to 64, a whole number, or a
                                      MongoDB {"$oid": ...}; without one (or with --new-ids) a
                                      new UUID
  password_hash, hashed_password, encrypted_password, password_digest, hash, password
                                      required: a bcrypt or argon2 hash (never plain text)
  name, full_name, display_name, or first_name + last_name      optional
  roles (list, or "a,b" / "a;b" / "a|b"), role                   optional; default user
  created_at, created (ISO 8601, epoch s/ms, {"$date": ...})     optional; default now
  email_verified, verified, confirmed (true/false/1/0/yes/no), or email_verified_at,
  verified_at, confirmed_at (a date)   optional; default not verified (see --verified)
Other fields are ignored.

A row is rejected (and reported with its row number and a reason code) for: MALFORMED_ROW,
ID_INVALID, EMAIL_INVALID, HASH_MISSING, HASH_UNSUPPORTED, NAME_INVALID, ROLES_INVALID,
CREATED_AT_INVALID, EMAIL_VERIFIED_INVALID, DUPLICATE_IN_FILE (the first row with the email or id is imported),
EMAIL_EXISTS (already in the database: skipped, never overwritten), ID_EXISTS (the id belongs
to another account in the database).

Options:
  --format <f>      json, ndjson or csv (default: detected).
  --dry-run         Check every row, including against the database, and write nothing.
  --report <file>   Write the rejected rows and a summary as JSON to <file> (default: the
                    first 100 rejections on stderr).
  --new-ids         Give every user a new UUID instead of the id in the file.
  --verified        Mark the addresses verified (the old app had verified them) where a row
                    does not say (with EMAIL_VERIFICATION=required, unverified users must
                    verify before they can sign in).
  --json            Print the summary as JSON on stdout.

Progress goes to stderr: a bar on a terminal, a line every 2 s otherwise.

Exit codes: 0 every row imported, 1 runtime failure (database unreachable), 2 usage error
(unreadable file, bad option), 65 some rows rejected or the file is malformed (the other rows
are imported unless --dry-run), 78 invalid DATABASE_URL.
`,

  async run(args, io) {
    const parsed = parseCommandLine(NAME, importUsers, io, {
      args,
      options: {
        format: { type: "string" },
        "dry-run": { type: "boolean" },
        report: { type: "string" },
        "new-ids": { type: "boolean" },
        verified: { type: "boolean" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
    });
    if (parsed === undefined) return 0;
    const [file = ""] = positionals(NAME, parsed.positionals, ["<file>"]);
    const format = parsed.values.format;
    if (format !== undefined && !IMPORT_FORMATS.includes(format as ImportFormat))
      throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(", ")}`, NAME);
    const dryRun = parsed.values["dry-run"] === true;
    const url = databaseUrlFromEnv(io.env);

    const source = await usage(`cannot read ${file}`, () =>
      openRecordSource(file, format as ImportFormat | undefined, io.stdin),
    );
    const report = await usage(`cannot write --report ${parsed.values.report ?? ""}`, () =>
      RejectionReport.open(parsed.values.report, io.stderr),
    );
    // A dry run against a SQLite file that does not exist yet must not create it.
    const sqliteFile = /^sqlite:(?!:memory:)(.+)$/.exec(url)?.[1];
    const store =
      dryRun && sqliteFile !== undefined && !existsSync(sqliteFile)
        ? undefined
        : await openStoreAt(url, io);

    let summary: ImportSummary;
    try {
      summary = await importRows(source, store, report, io, {
        file,
        dryRun,
        newIds: parsed.values["new-ids"] === true,
        verified: parsed.values.verified === true,
      });
    } finally {
      await store?.close();
    }
    if (parsed.values.json) writeJson(io, summary);
    else printSummary(io, summary, parsed.values.report);
    return summary.rejected > 0 || summary.aborted !== null ? EXIT.DATA : EXIT.OK;
  },
};

async function importRows(
  source: RecordSource,
  store: Store | undefined,
  report: RejectionReport,
  io: CliIo,
  options: { file: string; dryRun: boolean; newIds: boolean; verified?: boolean },
): Promise<ImportSummary> {
  const started = performance.now();
  const now = Date.now();
  const progress = new Progress(
    io.stderr,
    `import ${options.file === "-" ? "stdin" : basename(options.file)}`,
  );
  // Normalised email → first row that had it. One entry per distinct email: the only state that
  // grows with the file, and what telling "duplicate in file" from "already registered" needs.
  const seen = new Map<string, number>();
  // The same for the ids the file names (kept unless --new-ids).
  const seenIds = new Map<string, number>();
  let rows = 0;
  let accepted = 0;
  let rejected = 0;
  let aborted: string | null = null;

  // Rows are checked in file order, and their database work runs a few at a time: a PostgreSQL
  // pool then commits concurrently instead of paying one round trip and one fsync per row
  // (SQLite serialises them anyway). Outcomes are taken in file order, so counts and the report
  // read exactly as a sequential import would.
  const inFlight: Promise<Rejection | null>[] = [];
  const settleOldest = async () => {
    const rejection = await inFlight.shift();
    if (rejection === null) accepted++;
    else if (rejection !== undefined) {
      rejected++;
      await report.add(rejection);
    }
    progress.update({ rows, rejected, fraction: fractionOf(source) });
  };
  const outcomeOf = (record: SourceRecord): Promise<Rejection | null> => {
    const where = { row: record.row, ...(record.line !== undefined && { line: record.line }) };
    if (record.fields === undefined)
      return Promise.resolve({
        ...where,
        code: "MALFORMED_ROW",
        reason: record.problem ?? "unreadable",
      });
    const verdict = checkRow(record.fields, now);
    if (!verdict.ok)
      return Promise.resolve({
        ...where,
        ...(verdict.email !== undefined && { email: verdict.email }),
        code: verdict.code,
        reason: verdict.reason,
      });
    const { id: fileId, emailVerifiedAt, ...fields } = verdict.user;
    const user = {
      ...fields,
      emailVerifiedAt:
        emailVerifiedAt !== undefined ? emailVerifiedAt : options.verified ? now : null,
    };
    const id = options.newIds ? undefined : fileId;
    const first = seen.get(user.email);
    if (first !== undefined)
      return Promise.resolve({
        ...where,
        email: user.email,
        code: "DUPLICATE_IN_FILE",
        reason: `same email as row ${first}`,
      });
    const firstWithId = id === undefined ? undefined : seenIds.get(id);
    if (firstWithId !== undefined)
      return Promise.resolve({
        ...where,
        email: user.email,
        code: "DUPLICATE_IN_FILE",
        reason: `same id as row ${firstWithId}`,
      });
    seen.set(user.email, record.row);
    if (id !== undefined) seenIds.set(id, record.row);
    const outcome = options.dryRun
      ? store === undefined
        ? Promise.resolve("added" as const)
        : whyNotAdded(store, user.email, id)
      : store!.createUser({ id: id ?? randomUUID(), ...user }).then((created) =>
          created !== null
            ? ("added" as const)
            : // Taken a moment ago and gone since (deleted meanwhile): still not imported.
              whyNotAdded(store!, user.email, id).then((why) => (why === "added" ? "email" : why)),
        );
    return outcome.then((result): Rejection | null => {
      if (result === "added") return null;
      return result === "email"
        ? {
            ...where,
            email: user.email,
            code: "EMAIL_EXISTS",
            reason: "already registered; left unchanged",
          }
        : {
            ...where,
            email: user.email,
            code: "ID_EXISTS",
            reason: `id ${id} belongs to another account; left unchanged`,
          };
    });
  };

  try {
    try {
      for await (const record of source.records()) {
        rows++;
        const outcome = outcomeOf(record);
        // Awaited in order below; this only keeps a failure from counting as unhandled meanwhile.
        outcome.catch(() => undefined);
        inFlight.push(outcome);
        if (inFlight.length >= IN_FLIGHT) await settleOldest();
      }
    } catch (error) {
      if (!(error instanceof MalformedInputError)) throw error;
      aborted = error.message;
    }
    while (inFlight.length > 0) await settleOldest();
  } catch (error) {
    progress.done();
    await report.finish(summarize(`stopped by an error: ${String(error)}`));
    throw error;
  }
  progress.done();
  const summary = summarize(aborted);
  await report.finish(summary);
  return summary;

  function summarize(stoppedBy: string | null): ImportSummary {
    const durationMs = Math.round(performance.now() - started);
    return {
      file: options.file,
      format: source.format,
      dryRun: options.dryRun,
      rows,
      accepted,
      rejected,
      rejectedByCode: report.byCode,
      aborted: stoppedBy,
      durationMs,
      rowsPerSecond: durationMs > 0 ? Math.round((rows * 1000) / durationMs) : rows,
    };
  }
}

/**
 * Which unique value of the row the database already holds: its email, else its id (the store's
 * createUser says only that one of them is taken). "added" when neither is, for a dry run.
 */
async function whyNotAdded(
  store: Store,
  email: string,
  id: string | undefined,
): Promise<"added" | "email" | "id"> {
  if ((await store.findUserByEmail(email)) !== null) return "email";
  if (id !== undefined && (await store.findUserById(id)) !== null) return "id";
  return "added";
}

function fractionOf(source: RecordSource): number | undefined {
  return source.size === undefined || source.size === 0
    ? undefined
    : source.bytesRead() / source.size;
}

function printSummary(io: CliIo, summary: ImportSummary, reportPath: string | undefined): void {
  const n = (value: number) => value.toLocaleString("en-US");
  const from = summary.file === "-" ? "stdin" : summary.file;
  const seconds = (summary.durationMs / 1000).toFixed(1);
  io.stdout.write(
    summary.dryRun
      ? `Dry run: ${n(summary.accepted)} of ${n(summary.rows)} rows of ${from} would be imported, ${n(summary.rejected)} rejected. Nothing was written.\n`
      : `Imported ${n(summary.accepted)} of ${n(summary.rows)} rows of ${from} in ${seconds} s (${n(summary.rowsPerSecond)} rows/s), ${n(summary.rejected)} rejected.\n`,
  );
  const codes = Object.entries(summary.rejectedByCode);
  if (codes.length > 0)
    io.stdout.write(
      `Rejected: ${codes.map(([code, count]) => `${code} ${n(count)}`).join(", ")}\n`,
    );
  if (summary.aborted !== null) io.stderr.write(`Import stopped: ${summary.aborted}\n`);
  if (reportPath !== undefined && summary.rejected > 0)
    io.stderr.write(`Rejected rows are listed in ${reportPath}\n`);
}

/** Turns a failure to open what the command line named into a usage error. */
async function usage<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new UsageError(
      `${what}: ${error instanceof Error ? error.message : String(error)}`,
      NAME,
    );
  }
}

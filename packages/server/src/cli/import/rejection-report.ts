import { once } from "node:events";
import type { WriteStream } from "node:fs";
import { open } from "node:fs/promises";
import type { RejectionCode } from "./user-row.js";

export interface Rejection {
  row: number;
  line?: number;
  /** As given in the file (rows without a readable email have none). Never a password hash. */
  email?: string;
  code: RejectionCode;
  reason: string;
}

export interface ImportSummary {
  file: string;
  format: string;
  dryRun: boolean;
  rows: number;
  /** Imported, or in a dry run: would be imported. */
  accepted: number;
  rejected: number;
  rejectedByCode: Partial<Record<RejectionCode, number>>;
  /** Set when the input could not be read to its end (broken JSON or CSV quoting). */
  aborted: string | null;
  durationMs: number;
  rowsPerSecond: number;
}

/** How many rejections are printed on stderr when there is no `--report` file. */
const STDERR_LIMIT = 100;

/**
 * The rejected rows: streamed into a JSON file (`--report`), so a file of a million bad rows
 * never sits in memory, or else printed on stderr (the first hundred).
 *
 * File shape: `{"rejections": [{row, line?, email?, code, reason}, ...], "summary": {...}}`.
 */
export class RejectionReport {
  private written = 0;
  private readonly counts: Partial<Record<RejectionCode, number>> = {};

  private constructor(
    private readonly file: WriteStream | undefined,
    private readonly stderr: NodeJS.WritableStream,
  ) {
    this.file?.write('{\n"rejections": [');
  }

  /** Creates the report file first, so an unwritable path fails before any row is imported. */
  static async open(
    reportPath: string | undefined,
    stderr: NodeJS.WritableStream,
  ): Promise<RejectionReport> {
    if (reportPath === undefined) return new RejectionReport(undefined, stderr);
    const handle = await open(reportPath, "w");
    return new RejectionReport(handle.createWriteStream({ encoding: "utf8" }), stderr);
  }

  /** Rejections so far, by code. */
  get byCode(): Partial<Record<RejectionCode, number>> {
    return { ...this.counts };
  }

  async add(rejection: Rejection): Promise<void> {
    this.counts[rejection.code] = (this.counts[rejection.code] ?? 0) + 1;
    const index = this.written++;
    if (this.file !== undefined) {
      const ok = this.file.write(`${index === 0 ? "\n" : ",\n"}${JSON.stringify(rejection)}`);
      if (!ok) await once(this.file, "drain");
      return;
    }
    if (index < STDERR_LIMIT) this.stderr.write(`${describe(rejection)}\n`);
  }

  /** Ends the file with the summary (or tells stderr how many were not shown). */
  async finish(summary: ImportSummary): Promise<void> {
    if (this.file === undefined) {
      if (this.written > STDERR_LIMIT)
        this.stderr.write(
          `... and ${(this.written - STDERR_LIMIT).toLocaleString("en-US")} more rejected rows: use --report <file> for all of them\n`,
        );
      return;
    }
    this.file.end(
      `${this.written === 0 ? "" : "\n"}],\n"summary": ${JSON.stringify(summary, null, 2)}\n}\n`,
    );
    await once(this.file, "finish");
  }
}

function describe(rejection: Rejection): string {
  const where =
    rejection.line === undefined
      ? `row ${rejection.row}`
      : `row ${rejection.row} (line ${rejection.line})`;
  const who = rejection.email === undefined ? "" : ` ${JSON.stringify(rejection.email)}`;
  return `rejected ${where}${who}: ${rejection.code} ${rejection.reason}`;
}

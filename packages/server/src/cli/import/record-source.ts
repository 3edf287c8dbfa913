import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type StreamArrayClass from "stream-json/streamers/StreamArray.js";
import { loadOptional } from "../../optional-package.js";
import { missingColumns } from "./user-row.js";

export type ImportFormat = "json" | "ndjson" | "csv";
export const IMPORT_FORMATS: readonly ImportFormat[] = ["json", "ndjson", "csv"];

/** One record of the input: its fields, or why it could not even be read as a record. */
export interface SourceRecord {
  /** 1-based position among the data records (a CSV header is not counted). */
  row: number;
  /** Line of the file where the record ends (NDJSON and CSV). */
  line?: number;
  fields?: Record<string, unknown>;
  problem?: string;
}

/** The input as a stream of records, and how far through the file we are (for the progress bar). */
export interface RecordSource {
  format: ImportFormat;
  /** Total bytes, when known (a file, not stdin). */
  size: number | undefined;
  bytesRead(): number;
  records(): AsyncGenerator<SourceRecord>;
}

/** The file or stream could not be parsed at all (broken JSON, unbalanced CSV quotes): stop. */
export class MalformedInputError extends Error {
  override readonly name = "MalformedInputError";
}

/**
 * Opens an import file (or `-` for stdin) as a stream of records, never holding more than a
 * stream buffer of it in memory. The format is `format` when given; otherwise a file starting
 * with `[` is a JSON array, one starting with `{` is NDJSON (one object per line, what
 * `mongoexport` writes by default), and anything else is CSV with a header row.
 */
export async function openRecordSource(
  path: string,
  format: ImportFormat | undefined,
  stdin: NodeJS.ReadableStream,
): Promise<RecordSource> {
  if (path === "-") {
    if (format === undefined) throw new TypeError("--format is required when reading stdin");
    // No size, so no percentage: progress shows counts only.
    return source(format, stdin as Readable, undefined, () => 0);
  }
  const handle = await open(path, "r");
  let size: number;
  let detected: ImportFormat;
  try {
    size = (await handle.stat()).size;
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    detected = format ?? detectFormat(path, head.subarray(0, bytesRead).toString("utf8"));
  } finally {
    await handle.close();
  }
  const input = createReadStream(path, { highWaterMark: 256 * 1024 });
  return source(detected, input, size, () => input.bytesRead);
}

function detectFormat(path: string, head: string): ImportFormat {
  const first = head.replace(/^\uFEFF/, "").trimStart()[0];
  if (first === "[") return "json";
  if (first === "{") return "ndjson";
  const extension = extname(path).toLowerCase();
  if (extension === ".json") return "json";
  if (extension === ".ndjson" || extension === ".jsonl") return "ndjson";
  return "csv";
}

function source(
  format: ImportFormat,
  input: Readable,
  size: number | undefined,
  bytesRead: () => number,
): RecordSource {
  const records =
    format === "csv" ? csvRecords : format === "ndjson" ? ndjsonRecords : jsonArrayRecords;
  return { format, size, bytesRead, records: () => records(input) };
}

/** A JSON array of objects, streamed element by element (stream-json). */
async function* jsonArrayRecords(input: Readable): AsyncGenerator<SourceRecord> {
  // stream-json and csv-parse are optional peer dependencies: loaded by the format that needs them.
  // A CommonJS module: its `module.exports` is the namespace's default (typed `export =`).
  const { default: StreamArray } = (await loadOptional(
    "stream-json",
    "Importing JSON",
    () => import("stream-json/streamers/StreamArray.js"),
  )) as unknown as { default: typeof StreamArrayClass };
  const elements = StreamArray.withParser();
  input.on("error", (error) => elements.destroy(error));
  input.pipe(elements);
  let row = 0;
  try {
    for await (const element of elements as AsyncIterable<{ key: number; value: unknown }>) {
      row = element.key + 1;
      yield isPlainObject(element.value)
        ? { row, fields: element.value }
        : { row, problem: "is not a JSON object" };
    }
  } catch (error) {
    throw new MalformedInputError(
      `not a valid JSON array of objects after record ${row}: ${errorMessage(error)}`,
    );
  }
}

/** One JSON object per line; a bad line is a rejected row, not the end of the import. */
async function* ndjsonRecords(input: Readable): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let row = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { row, line, problem: "is not valid JSON" };
      continue;
    }
    yield isPlainObject(value)
      ? { row, line, fields: value }
      : { row, line, problem: "is not a JSON object" };
  }
}

/**
 * CSV with a header row naming the columns (csv-parse). A record with the wrong number of fields
 * is a rejected row; broken quoting stops the import (everything after it would be misread).
 */
async function* csvRecords(input: Readable): AsyncGenerator<SourceRecord> {
  const { parse: parseCsv } = await loadOptional(
    "csv-parse",
    "Importing CSV",
    () => import("csv-parse"),
  );
  const parser = parseCsv({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
  });
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (header === undefined) {
        header = checkHeader(record);
        continue;
      }
      row++;
      if (record.length !== header.length) {
        yield {
          row,
          line: info.lines,
          problem: `has ${record.length} fields; the header has ${header.length}`,
        };
        continue;
      }
      const fields: Record<string, unknown> = {};
      header.forEach((name, i) => (fields[name] = record[i]));
      yield { row, line: info.lines, fields };
    }
  } catch (error) {
    if (error instanceof MalformedInputError) throw error;
    throw new MalformedInputError(`not valid CSV after record ${row}: ${errorMessage(error)}`);
  }
}

function checkHeader(names: string[]): string[] {
  if (names.some((name) => name === ""))
    throw new MalformedInputError("the CSV header has an empty column name");
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined)
    throw new MalformedInputError(`the CSV header names column ${JSON.stringify(duplicate)} twice`);
  const missing = missingColumns(names);
  if (missing.length > 0)
    throw new MalformedInputError(
      `the CSV header (${names.join(",")}) has no ${missing.join(" and no ")} column`,
    );
  return names;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

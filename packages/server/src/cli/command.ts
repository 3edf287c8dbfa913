import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * Exit codes scripts can rely on (BSD sysexits.h where one fits). Documented in docs/cli.md;
 * every command's `--help` repeats the ones it uses.
 */
export const EXIT = {
  OK: 0,
  /** Something failed at run time: database unreachable, unexpected error. */
  FAILURE: 1,
  /** The command line was wrong: unknown command or option, missing or invalid argument. */
  USAGE: 2,
  /** EX_DATAERR: the input was well-formed but refused (rejected import rows, email taken, no such user). */
  DATA: 65,
  /** EX_CONFIG: the environment (DATABASE_URL, BATON_SECRET, ...) is invalid or unsafe. */
  CONFIG: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a command reads and writes. `process` in the real CLI. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** One `baton` command. `args` are what follows the command's name on the command line. */
export interface Command {
  /** The full `--help` text. */
  readonly help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A failure with a known exit code; main prints the message and exits with the code. */
export class CliError extends Error {
  override readonly name: string = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Exit 2, with a pointer to the command's help. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly command = "",
  ) {
    super(message, EXIT.USAGE);
  }
}

/** Exit 65: the data was refused. */
export class DataError extends CliError {
  override readonly name = "DataError";
  constructor(message: string) {
    super(message, EXIT.DATA);
  }
}

type Parsed<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/**
 * `util.parseArgs` in strict mode, with `--help`/`-h` added to every command and its errors
 * (unknown option, missing value) turned into usage errors. Returns undefined after printing the
 * help, so the caller just returns 0.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  name: string,
  command: Command,
  io: CliIo,
  config: T,
): Parsed<T> | undefined {
  const withHelp = {
    ...config,
    options: { ...config.options, help: { type: "boolean", short: "h" } },
    strict: true,
  } as T;
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs(withHelp);
  } catch (error) {
    // Node appends advice about `--` to unknown options; the option is what matters here.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ""), name);
  }
  if ((parsed.values as Record<string, unknown>).help === true) {
    io.stdout.write(command.help);
    return undefined;
  }
  return parsed;
}

/** Positional arguments: exactly the named ones, in order. */
export function positionals(name: string, given: string[], wanted: string[]): string[] {
  if (given.length < wanted.length)
    throw new UsageError(`missing ${wanted.slice(given.length).join(" and ")}`, name);
  if (given.length > wanted.length)
    throw new UsageError(`unexpected argument ${JSON.stringify(given[wanted.length])}`, name);
  return given;
}

/** A whole number option within bounds (`--limit 50`). */
export function wholeNumber(
  name: string,
  option: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${option} must be a whole number from ${min} to ${max}`, name);
  return value;
}

/** `a,b , c` → ["a", "b", "c"]; an empty string is an empty list. */
export function commaList(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `--json` output: one JSON document and a newline. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

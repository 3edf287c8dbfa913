#!/usr/bin/env node
import { ConfigError } from "../config/resolve.js";
import { CliError, EXIT, UsageError, type CliIo, type Command } from "./command.js";

/** Every command, by the words that name it. Modules load on use, so `--help` stays instant. */
const COMMANDS: { words: string[]; summary: string; load: () => Promise<Command> }[] = [
  {
    words: ["serve"],
    summary: "Start the auth server (the default command)",
    load: async () => (await import("./commands/serve.js")).serve,
  },
  {
    words: ["migrate"],
    summary: "Bring the database schema up to date, then exit",
    load: async () => (await import("./commands/migrate.js")).migrate,
  },
  {
    words: ["keys", "rotate"],
    summary: "Start signing with a new key; the old one verifies until its tokens expire",
    load: async () => (await import("./commands/keys-rotate.js")).keysRotate,
  },
  {
    words: ["keys", "list"],
    summary: "List signing keys and their state",
    load: async () => (await import("./commands/keys-list.js")).keysList,
  },
  {
    words: ["users", "create"],
    summary: "Create an account",
    load: async () => (await import("./commands/users-create.js")).usersCreate,
  },
  {
    words: ["users", "list"],
    summary: "List accounts",
    load: async () => (await import("./commands/users-list.js")).usersList,
  },
  {
    words: ["users", "set-roles"],
    summary: "Replace an account's roles (effective at once)",
    load: async () => (await import("./commands/users-set-roles.js")).usersSetRoles,
  },
  {
    words: ["sessions", "revoke"],
    summary: "End every session of a user (like logout-all)",
    load: async () => (await import("./commands/sessions-revoke.js")).sessionsRevoke,
  },
  {
    words: ["import-users"],
    summary: "Import users with bcrypt/argon2 hashes from JSON, NDJSON or CSV",
    load: async () => (await import("./commands/import-users.js")).importUsers,
  },
  {
    words: ["secret"],
    summary: "Print a new random secret for BATON_SECRET or JWT_SECRET",
    load: async () => (await import("./commands/secret.js")).secret,
  },
];

const EXIT_CODES = `Exit codes: 0 success, 1 runtime failure, 2 usage error, 65 data refused (rejected import
rows, email already registered, no such user), 78 invalid configuration.`;

function overview(prefix: string[] = []): string {
  const listed = COMMANDS.filter((command) => prefix.every((word, i) => command.words[i] === word));
  const width = Math.max(...listed.map((command) => command.words.join(" ").length));
  const rows = listed.map(
    (command) => `  ${command.words.join(" ").padEnd(width)}   ${command.summary}`,
  );
  const usage = prefix.length === 0 ? "baton [command] [options]" : `baton ${prefix[0]} <command>`;
  return `Usage: ${usage}

Commands:
${rows.join("\n")}

Run \`baton <command> --help\` for a command's options. Every command reads the environment
variables of docs/configuration.md (DATABASE_URL, BATON_SECRET, ...), so it works on the same
database and keys as \`baton serve\`.

${EXIT_CODES}
`;
}

/** Resolves the command line to a command and runs it. Returns the exit code. */
async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) return run(COMMANDS[0]!, [], io);
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = argv.slice(1).filter((word) => !word.startsWith("-"));
    const command = COMMANDS.find((entry) => sameWords(entry.words, topic));
    if (topic.length > 0 && command !== undefined) io.stdout.write((await command.load()).help);
    else if (topic.length === 1 && isGroup(topic[0]!)) io.stdout.write(overview(topic));
    else if (topic.length > 0)
      throw new UsageError(`Unknown command ${JSON.stringify(topic.join(" "))}`);
    else io.stdout.write(overview());
    return EXIT.OK;
  }

  const single = COMMANDS.find((entry) => entry.words.length === 1 && entry.words[0] === first);
  if (single !== undefined) return run(single, argv.slice(1), io);
  if (isGroup(first)) {
    if (second === undefined || second === "--help" || second === "-h") {
      const text = overview([first]);
      if (second === undefined) {
        io.stderr.write(`baton ${first}: missing command\n\n${text}`);
        return EXIT.USAGE;
      }
      io.stdout.write(text);
      return EXIT.OK;
    }
    const command = COMMANDS.find((entry) => sameWords(entry.words, [first, second]));
    if (command !== undefined) return run(command, argv.slice(2), io);
    io.stderr.write(
      `Unknown command ${JSON.stringify(`${first} ${second}`)}\n\n${overview([first])}`,
    );
    return EXIT.USAGE;
  }
  io.stderr.write(`Unknown command ${JSON.stringify(first)}\n\n${overview()}`);
  return EXIT.USAGE;
}

async function run(entry: (typeof COMMANDS)[number], args: string[], io: CliIo): Promise<number> {
  const name = entry.words.join(" ");
  try {
    return await (await entry.load()).run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `baton ${error.command || name}: ${error.message}\nRun \`baton ${error.command || name} --help\` for usage.\n`,
      );
      return EXIT.USAGE;
    }
    throw error;
  }
}

function isGroup(word: string): boolean {
  return COMMANDS.some((command) => command.words.length > 1 && command.words[0] === word);
}

function sameWords(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((word, i) => word === b[i]);
}

// A command whose promise never settles (a stream nobody reads) would otherwise end with exit 0.
process.once("beforeExit", () => {
  process.stderr.write("baton: the command stopped before finishing (internal error)\n");
  process.exit(EXIT.FAILURE);
});

runCli(process.argv.slice(2), process).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT.CONFIG);
    }
    if (error instanceof CliError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(error.exitCode);
    }
    const command = process.argv[2] ?? "serve";
    process.stderr.write(
      command === "serve"
        ? `Baton failed to start: ${error instanceof Error ? error.message : String(error)}\n`
        : `baton ${command}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(EXIT.FAILURE);
  },
);

import { coreOf } from "../../baton-internals.js";
import { normalizeEmail, normalizeName, normalizeRoles } from "../../users/user-fields.js";
import { DEFAULT_ROLES, createAccount } from "../../accounts/register.js";
import { CLI_ACTOR } from "../../actor.js";
import { toPublicUser } from "../../accounts/user-view.js";
import { isAuthError } from "../../errors.js";
import { assertAcceptablePassword } from "../../passwords/password-policy.js";
import {
  DataError,
  UsageError,
  commaList,
  parseCommandLine,
  positionals,
  writeJson,
  type CliIo,
  type Command,
} from "../command.js";
import { withBaton } from "../environment.js";
import { CLI_META } from "../user-ref.js";

const NAME = "users create";

export const usersCreate: Command = {
  help: `Usage: baton users create --email <email> (--password <password> | --password-stdin)
                          [--name <name>] [--roles <a,b>] [--json]

Creates an account (argon2id password hash). The email is normalised as registration does it
(Unicode NFKC, trimmed, lower-cased).

Options:
  --email <email>       Email address (required).
  --password <pw>       The password (8 to 256 characters). Visible in shell history and
                        the process list: prefer --password-stdin.
  --password-stdin      Read the password from standard input (one trailing newline is
                        dropped): printf '%s' "$PW" | baton users create --email ... --password-stdin
  --name <name>         Display name (up to 100 characters).
  --roles <a,b>         Comma-separated roles. Default: user.
  --json                Print the user as JSON ({id, email, name, roles, createdAt}).

Exit codes: 0 created, 1 runtime failure, 2 usage error or invalid value,
65 the email is already registered, 78 invalid configuration.
`,

  async run(args, io) {
    const parsed = parseCommandLine(NAME, usersCreate, io, {
      args,
      options: {
        email: { type: "string" },
        password: { type: "string" },
        "password-stdin": { type: "boolean" },
        name: { type: "string" },
        roles: { type: "string" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
    });
    if (parsed === undefined) return 0;
    positionals(NAME, parsed.positionals, []);
    const { values } = parsed;
    if (values.email === undefined) throw new UsageError("--email is required", NAME);
    if ((values.password === undefined) === (values["password-stdin"] !== true))
      throw new UsageError("give exactly one of --password and --password-stdin", NAME);
    const password = values.password ?? (await readPassword(io));

    const fields = asUsage(() => {
      assertAcceptablePassword(password);
      return {
        email: normalizeEmail(values.email ?? ""),
        name: normalizeName(values.name),
        roles: values.roles === undefined ? DEFAULT_ROLES : normalizeRoles(commaList(values.roles)),
        password,
      };
    });

    return withBaton(io, async (baton) => {
      const user = await createAccount(coreOf(baton), CLI_ACTOR, fields, CLI_META);
      if (user === null) throw new DataError(`${fields.email} is already registered`);
      if (values.json) writeJson(io, toPublicUser(user));
      else
        io.stdout.write(
          `Created user ${user.id} ${user.email} (roles: ${user.roles.join(", ") || "none"})\n`,
        );
      return 0;
    });
  },
};

/** The field checks of the core throw VALIDATION_FAILED; on a command line that is a usage error. */
function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (isAuthError(error)) throw new UsageError(error.message, NAME);
    throw error;
  }
}

const MAX_PASSWORD_INPUT = 4096;

/** The password from stdin, like `docker login --password-stdin`: all of it, minus one newline. */
async function readPassword(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_PASSWORD_INPUT)
      throw new UsageError("--password-stdin: input is longer than any valid password", NAME);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (text === "") throw new UsageError("--password-stdin: standard input was empty", NAME);
  return text;
}

import { coreOf } from "../../baton-internals.js";
import { listUsers } from "../../accounts/admin.js";
import { toPublicUser } from "../../accounts/user-view.js";
import { parseCommandLine, positionals, wholeNumber, writeJson, type Command } from "../command.js";
import { withBaton } from "../environment.js";
import { formatTable, formatTime } from "../table.js";

const NAME = "users list";

export const usersList: Command = {
  help: `Usage: baton users list [--limit <n>] [--offset <n>] [--json]

Lists accounts, oldest first (the order is stable, so --offset pages through them).

Options:
  --limit <n>     How many (1 to 1000). Default 50.
  --offset <n>    How many to skip. Default 0.
  --json          Print {"users": [{id, email, name, roles, createdAt}], "total", "limit",
                  "offset"}.

Exit codes: 0 listed, 1 runtime failure, 2 usage error, 78 invalid configuration.
`,

  async run(args, io) {
    const parsed = parseCommandLine(NAME, usersList, io, {
      args,
      options: {
        limit: { type: "string" },
        offset: { type: "string" },
        json: { type: "boolean" },
      },
      allowPositionals: true,
    });
    if (parsed === undefined) return 0;
    positionals(NAME, parsed.positionals, []);
    const limit = wholeNumber(NAME, "limit", parsed.values.limit, 50, 1, 1000);
    const offset = wholeNumber(NAME, "offset", parsed.values.offset, 0, 0, Number.MAX_SAFE_INTEGER);

    return withBaton(io, async (baton) => {
      const { users, total } = await listUsers(coreOf(baton), { limit, offset });
      if (parsed.values.json) {
        writeJson(io, { users: users.map(toPublicUser), total, limit, offset });
        return 0;
      }
      io.stdout.write(
        formatTable(
          ["ID", "EMAIL", "NAME", "ROLES", "CREATED"],
          users.map((user) => [
            user.id,
            user.email,
            user.name ?? "",
            user.roles.join(","),
            formatTime(user.createdAt),
          ]),
        ),
      );
      const shown = users.length === 0 ? "none" : `${offset + 1}-${offset + users.length}`;
      const more =
        offset + users.length < total ? ` (next: --offset ${offset + users.length})` : "";
      io.stderr.write(`${shown} of ${total.toLocaleString("en-US")} users${more}\n`);
      return 0;
    });
  },
};

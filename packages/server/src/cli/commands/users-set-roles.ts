import { coreOf } from "../../baton-internals.js";
import { CLI_ACTOR } from "../../actor.js";
import { normalizeRoles } from "../../users/user-fields.js";
import { setUserRoles } from "../../accounts/admin.js";
import { toPublicUser } from "../../accounts/user-view.js";
import { isAuthError } from "../../errors.js";
import {
  DataError,
  UsageError,
  commaList,
  parseCommandLine,
  positionals,
  writeJson,
  type Command,
} from "../command.js";
import { withBaton } from "../environment.js";
import { CLI_META, findUser, parseUserRef } from "../user-ref.js";

const NAME = "users set-roles";

export const usersSetRoles: Command = {
  help: `Usage: baton users set-roles <email|id> --roles <a,b> [--json]

Replaces the roles of an account. Takes effect at once, as through the admin API: access tokens
carrying the old roles stop working (TOKEN_EXPIRED) and the user's next refresh picks up the new
ones. Other running instances learn of it through Redis, or by polling the database.

Options:
  --roles <a,b>   Comma-separated roles (letters, digits and _.:-); "" removes every role.
  --json          Print the user as JSON ({id, email, name, roles, createdAt}).

Taking the admin role from the last admin is refused (exit 65): nobody could use the admin API
again. Make another user admin first.

Exit codes: 0 changed, 1 runtime failure, 2 usage error or invalid role name,
65 no such user or last admin, 78 invalid configuration.
`,

  async run(args, io) {
    const parsed = parseCommandLine(NAME, usersSetRoles, io, {
      args,
      options: { roles: { type: "string" }, json: { type: "boolean" } },
      allowPositionals: true,
    });
    if (parsed === undefined) return 0;
    const [ref = ""] = positionals(NAME, parsed.positionals, ["<email|id>"]);
    const userRef = parseUserRef(NAME, ref);
    if (parsed.values.roles === undefined) throw new UsageError("--roles is required", NAME);
    let roles: string[];
    try {
      roles = normalizeRoles(commaList(parsed.values.roles));
    } catch (error) {
      if (isAuthError(error)) throw new UsageError(error.message, NAME);
      throw error;
    }

    return withBaton(io, async (baton) => {
      const core = coreOf(baton);
      const user = await findUser(core, userRef);
      let updated;
      try {
        updated = await setUserRoles(core, CLI_ACTOR, user.id, roles, CLI_META);
      } catch (error) {
        if (isAuthError(error) && error.code === "NOT_FOUND")
          throw new DataError(`No user ${JSON.stringify(ref)}`);
        if (isAuthError(error) && error.code === "LAST_ADMIN")
          throw new DataError(`${user.email}: ${error.message}`);
        throw error;
      }
      if (parsed.values.json) writeJson(io, toPublicUser(updated));
      else
        io.stdout.write(
          `Roles of ${updated.email}: ${updated.roles.join(", ") || "(none)"}; older access tokens no longer work.\n`,
        );
      return 0;
    });
  },
};

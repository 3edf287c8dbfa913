import { normalizeRoles } from "../../accounts/account-fields.js";
import { toPublicUser } from "../../accounts/user-view.js";
import { revocationStamp } from "../../core.js";
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

Exit codes: 0 changed, 1 runtime failure, 2 usage error or invalid role name,
65 no such user, 78 invalid configuration.
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
      const { core } = baton;
      const user = await findUser(core, userRef);
      // What accounts/admin.ts setUserRoles does, with the CLI as the actor instead of an admin session.
      const updated = await core.store.setUserRoles(
        user.id,
        roles,
        revocationStamp(core, "roles-changed"),
      );
      if (updated === null) throw new DataError(`No user ${JSON.stringify(ref)}`);
      await core.revocations.recorded();
      await core.audit.record("roles.changed", CLI_META, {
        userId: user.id,
        detail: { roles, by: "cli" },
      });
      if (parsed.values.json) writeJson(io, toPublicUser(updated));
      else
        io.stdout.write(
          `Roles of ${updated.email}: ${updated.roles.join(", ") || "(none)"}; older access tokens no longer work.\n`,
        );
      return 0;
    });
  },
};

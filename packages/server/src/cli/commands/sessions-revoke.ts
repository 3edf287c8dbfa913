import { coreOf } from "../../baton-internals.js";
import { CLI_ACTOR } from "../../actor.js";
import { logoutAll } from "../../sessions/end-session.js";
import { UsageError, parseCommandLine, positionals, writeJson, type Command } from "../command.js";
import { withBaton } from "../environment.js";
import { CLI_META, findUser, parseUserRef } from "../user-ref.js";

const NAME = "sessions revoke";

export const sessionsRevoke: Command = {
  help: `Usage: baton sessions revoke --user <email|id> [--json]

Ends every session of a user, as POST /api/auth/logout-all does: their refresh tokens stop
working, their access tokens are rejected (SESSION_REVOKED) by every instance, and the
revocations are recorded (audit event sessions.revoked_all). Other running instances learn of it
through Redis at once, or by polling the database (REVOCATION_POLL_INTERVAL). The password is
unchanged: the user can log in again.

Options:
  --user <email|id>   The account.
  --json              Print {"userId", "email", "revoked"}.

Exit codes: 0 done (also when there was no live session), 1 runtime failure, 2 usage error,
65 no such user, 78 invalid configuration.
`,

  async run(args, io) {
    const parsed = parseCommandLine(NAME, sessionsRevoke, io, {
      args,
      options: { user: { type: "string" }, json: { type: "boolean" } },
      allowPositionals: true,
    });
    if (parsed === undefined) return 0;
    positionals(NAME, parsed.positionals, []);
    const ref = parsed.values.user;
    if (ref === undefined || ref === "") throw new UsageError("--user is required", NAME);
    const userRef = parseUserRef(NAME, ref);

    return withBaton(io, async (baton) => {
      const core = coreOf(baton);
      const user = await findUser(core, userRef);
      const ids = await logoutAll(core, CLI_ACTOR, user.id, CLI_META);
      if (parsed.values.json)
        writeJson(io, { userId: user.id, email: user.email, revoked: ids.length });
      else
        io.stdout.write(
          `Revoked ${ids.length} session${ids.length === 1 ? "" : "s"} of ${user.email}.\n`,
        );
      return 0;
    });
  },
};

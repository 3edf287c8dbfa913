import { coreOf } from "../../baton-internals.js";
import { listSigningKeys } from "../../maintenance/key-rotation.js";
import { parseCommandLine, writeJson, type Command } from "../command.js";
import { withBaton } from "../environment.js";
import { keyDescription } from "../key-description.js";
import { formatTime } from "../table.js";
import { assertKeyRing } from "./keys-list.js";

export const keysRotate: Command = {
  help: `Usage: baton keys rotate [--json]

Generates a new signing key of JWT_ALG (EdDSA, ES256 or RS256), makes it the active one and
retires the previous key. Tokens signed by the previous key keep verifying until they expire (one
access-token lifetime plus the clock tolerance); the JWKS publishes both keys meanwhile. Running instances pick the
new key up from the database (at once with REDIS_URL, else within 30 s, or on the first token
with an unknown kid); resource servers using @baton/verify refetch the JWKS on an unknown kid.

Options:
  --json        Print the new key as {kid, alg, createdAt, retiredAt, active, verifying}.

Exit codes: 0 rotated, 1 database unreachable, 2 usage error, 78 invalid configuration
(including JWT_ALG=HS256, which has no key ring).
`,

  async run(args, io) {
    const parsed = parseCommandLine("keys rotate", keysRotate, io, {
      args,
      options: { json: { type: "boolean" } },
    });
    if (parsed === undefined) return 0;
    return withBaton(io, async (baton) => {
      assertKeyRing(baton);
      const previous = (await listSigningKeys(coreOf(baton))).filter((key) => key.active);
      const rotated = await baton.rotateKeys();
      if (parsed.values.json) {
        writeJson(io, rotated);
        return 0;
      }
      const until = formatTime(coreOf(baton).clock.now() + coreOf(baton).accessTokens.verifyForMs);
      io.stdout.write(
        `New signing key ${rotated.kid} (${keyDescription(rotated.alg)}) is active.\n`,
      );
      for (const key of previous)
        io.stdout.write(`Retired ${key.kid}: it verifies tokens until ${until}.\n`);
      return 0;
    });
  },
};

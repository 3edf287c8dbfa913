import type { Baton } from "../../baton.js";
import { coreOf } from "../../baton-internals.js";
import { listSigningKeys, type SigningKeyInfo } from "../../maintenance/key-rotation.js";
import { CliError, EXIT, parseCommandLine, writeJson, type Command } from "../command.js";
import { withBaton } from "../environment.js";
import { formatTable, formatTime } from "../table.js";

export const keysList: Command = {
  help: `Usage: baton keys list [--json]

Lists the signing keys in the database (EdDSA, ES256 or RS256), newest first: the active key
signs new access tokens; retired keys keep verifying (and stay in the JWKS) until the last token
they signed has expired.

Options:
  --json        Print the keys as a JSON array of
                {kid, alg, createdAt, retiredAt, active, verifying}.

Exit codes: 0 listed, 1 database unreachable, 2 usage error, 78 invalid configuration
(including JWT_ALG=HS256, which has no key ring).
`,

  async run(args, io) {
    const parsed = parseCommandLine("keys list", keysList, io, {
      args,
      options: { json: { type: "boolean" } },
    });
    if (parsed === undefined) return 0;
    return withBaton(io, async (baton) => {
      assertKeyRing(baton);
      const keys = await listSigningKeys(coreOf(baton));
      if (parsed.values.json) writeJson(io, keys);
      else io.stdout.write(keyTable(baton, keys));
      return 0;
    });
  },
};

/** Key commands only make sense for a key ring; HS256 signs with JWT_SECRET. */
export function assertKeyRing(baton: Baton): void {
  if (baton.config.jwtAlg === "HS256") {
    throw new CliError(
      "JWT_ALG=HS256 signs with JWT_SECRET and has no key ring: to rotate, change JWT_SECRET (every access token is then rejected and clients refresh).",
      EXIT.CONFIG,
    );
  }
}

function keyTable(baton: Baton, keys: SigningKeyInfo[]): string {
  const verifyForMs = coreOf(baton).accessTokens.verifyForMs;
  const rows = keys.map((key) => {
    const retiredAt = key.retiredAt === null ? undefined : Date.parse(key.retiredAt);
    const state = key.active
      ? "active (signs)"
      : key.verifying && retiredAt !== undefined
        ? `verifies until ${formatTime(retiredAt + verifyForMs)}`
        : key.verifying
          ? "verifies"
          : "expired";
    return [
      key.kid,
      key.alg,
      formatTime(Date.parse(key.createdAt)),
      retiredAt === undefined ? "-" : formatTime(retiredAt),
      state,
    ];
  });
  return formatTable(["KID", "ALG", "CREATED", "RETIRED", "STATE"], rows);
}

import { generateSecret } from "../../secrets/root-secret.js";
import { EXIT, parseCommandLine, type Command } from "../command.js";

export const secret: Command = {
  help: `Usage: baton secret

Prints a new random secret (32 bytes from the system's CSPRNG, base64url: 43 characters) and a
newline on stdout, and nothing else, so it can be captured:

  BATON_SECRET=$(baton secret)
  JWT_SECRET=$(baton secret)      # JWT_ALG=HS256 only; never the same value as BATON_SECRET

Reads no configuration. Every run prints a different secret: keep the one you deploy (every
instance needs the same BATON_SECRET, and replacing it ends every session).

Exit codes: 0 success, 2 usage error.
`,

  run(args, io) {
    if (parseCommandLine("secret", secret, io, { args, options: {} }) !== undefined) {
      io.stdout.write(`${generateSecret()}\n`);
    }
    return Promise.resolve(EXIT.OK);
  },
};

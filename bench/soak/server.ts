// Soak target: the Baton server configured from the environment (ACCESS_TOKEN_TTL, DATABASE_URL,
// BATON_SECRET, ...), listening on 127.0.0.1 at PORT (0 picks a free one). Prints one JSON line
// {url} on stdout when ready. The soak kills it with SIGKILL and starts it again.
import { optionsFromEnv, startServer } from "@baton/server";

const { options, names, problems } = optionsFromEnv(process.env);
if (problems.length > 0) throw new Error(problems.join("; "));
const server = await startServer({
  ...options,
  optionNames: names,
  port: Number(process.env.PORT ?? 0),
  host: "127.0.0.1",
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));

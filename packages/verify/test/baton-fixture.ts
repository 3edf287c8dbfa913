import { startServer, type RunningServer, type ServerOptions } from "@baton/server";

export const PASSWORD = "correct horse battery";

/** A real Baton on a free port over an in-memory SQLite database. */
export function startBaton(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer({
    port: 0,
    host: "127.0.0.1",
    databaseUrl: "sqlite::memory:",
    logger: false,
    authRateLimit: 0,
    ...options,
  });
}

export function jwksUrl(server: RunningServer): string {
  return `${server.url}/.well-known/jwks.json`;
}

/** Registers (or, for an existing account, logs in) over HTTP; returns the access token and user. */
export async function signIn(
  server: RunningServer,
  email: string,
  mode: "register" | "login" = "register",
): Promise<{ accessToken: string; user: { id: string; roles: string[] } }> {
  const response = await fetch(`${server.url}/api/auth/${mode}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const body = (await response.json()) as {
    accessToken: string;
    user: { id: string; roles: string[] };
  };
  if (!response.ok) throw new Error(`${mode} failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** The header of a JWT, decoded (tests only: never trust it before verification). */
export function headerOf(token: string): { kid?: string; alg?: string; typ?: string } {
  return JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));
}

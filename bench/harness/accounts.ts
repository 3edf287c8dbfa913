// Users for a scenario, registered through the server's own API.
import { randomBytes } from "node:crypto";

export const BENCH_PASSWORD = "correct horse battery";

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Registers `count` users with body transport, so the refresh tokens come back in JSON. */
export async function register(base: string, count: number) {
  const users = [];
  for (let i = 0; i < count; i++) {
    const email = `bench-${randomBytes(5).toString("hex")}@example.com`;
    const body = await post(`${base}/api/auth/register`, {
      email,
      password: BENCH_PASSWORD,
      transport: "body",
    });
    users.push({
      email,
      accessToken: body.accessToken as string,
      refreshToken: body.refreshToken as string,
    });
  }
  return users;
}

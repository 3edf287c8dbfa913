import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_ADMIN_EMAIL, demoEnv, withDevelopmentAdmin } from "../server/demo-env.js";

describe("demo configuration from the environment", () => {
  const dirs: string[] = [];
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-demo-env-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("reads Baton's variables like `baton serve`, with PORT and HOST", () => {
    const dir = temp();
    const env = demoEnv({
      DATABASE_URL: `sqlite:${join(dir, "baton.db")}`,
      ACCESS_TOKEN_TTL: "10s",
      PORT: "4321",
      HOST: "127.0.0.1",
      TRUST_PROXY: "1",
    });
    expect(env.problems).toEqual([]);
    expect(env.options.accessTokenTtl).toBe("10s");
    expect(env).toMatchObject({ port: 4321, host: "127.0.0.1", trustProxy: 1 });
    expect(demoEnv({ PORT: "abc" }).problems[0]).toMatch(/PORT/);
    expect(demoEnv({ PORT: "70000" }).problems[0]).toMatch(/PORT/);
  });

  it("outside production, ensures admin@example.com with a password generated once and kept", () => {
    const dir = temp();
    const env = { DATABASE_URL: `sqlite:${join(dir, "db", "baton.db")}` };
    expect(demoEnv(env).admin).toBeUndefined();
    expect(existsSync(join(dir, "db"))).toBe(false);
    const first = withDevelopmentAdmin(demoEnv(env));
    expect(first.admin).toMatchObject({ email: DEFAULT_ADMIN_EMAIL, source: "generated" });
    expect(first.options.adminEmail).toBe(DEFAULT_ADMIN_EMAIL);
    expect(first.options.adminPassword).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const file = join(dir, "db", "demo-admin-password");
    expect(readFileSync(file, "utf8").trim()).toBe(first.options.adminPassword);
    expect(statSync(file).mode & 0o077).toBe(0);

    const second = withDevelopmentAdmin(demoEnv(env));
    expect(second.admin).toMatchObject({ source: "file", password: first.options.adminPassword });
  });

  it("ADMIN_EMAIL/ADMIN_PASSWORD win; production never gets a default admin", () => {
    const dir = temp();
    const chosen = withDevelopmentAdmin(
      demoEnv({
        DATABASE_URL: `sqlite:${join(dir, "baton.db")}`,
        ADMIN_EMAIL: "root@example.org",
        ADMIN_PASSWORD: "chosen-password",
      }),
    );
    expect(chosen.admin).toEqual({
      email: "root@example.org",
      password: "chosen-password",
      source: "env",
    });
    expect(existsSync(join(dir, "demo-admin-password"))).toBe(false);

    const production = demoEnv({
      NODE_ENV: "production",
      DATABASE_URL: `sqlite:${join(dir, "baton.db")}`,
    });
    expect(production.admin).toBeUndefined();
    expect(production.options.adminEmail).toBeUndefined();
  });

  it("an in-memory database gets an in-memory admin password", () => {
    const env = withDevelopmentAdmin(demoEnv({ DATABASE_URL: "sqlite::memory:" }));
    expect(env.admin?.source).toBe("memory");
    expect(env.admin?.file).toBeUndefined();
  });
});

import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { optionsFromEnv, type BatonOptions } from "@baton/server";
import { serverEnv } from "@baton/server/cli";

export const DEFAULT_ADMIN_EMAIL = "admin@example.com";
const DEFAULT_DATABASE_URL = "sqlite:./data/baton.db";

export interface DemoAdmin {
  email: string;
  password: string;
  /** `env`: ADMIN_EMAIL/ADMIN_PASSWORD; `file`/`generated`: the demo's development default. */
  source: "env" | "generated" | "file" | "memory";
  /** Where a generated password is kept (shown in the banner). */
  file?: string;
}

export interface DemoEnv {
  options: BatonOptions;
  optionNames: Partial<Record<keyof BatonOptions, string>>;
  port: number;
  host: string;
  trustProxy: boolean | number | string[];
  admin: DemoAdmin | undefined;
  problems: string[];
  warnings: string[];
}

/**
 * The demo reads the same environment as `baton serve` (every variable of
 * docs/configuration.md, plus PORT, HOST and TRUST_PROXY). Parsing only: nothing is written;
 * {@link withDevelopmentAdmin} adds the demo's default admin afterwards.
 */
export function demoEnv(env: NodeJS.ProcessEnv): DemoEnv {
  const fromEnv = optionsFromEnv(env);
  const server = serverEnv(env);
  const problems = [...fromEnv.problems, ...server.problems];
  const options: BatonOptions = fromEnv.options;

  const admin: DemoAdmin | undefined =
    options.adminEmail && options.adminPassword
      ? { email: options.adminEmail, password: options.adminPassword, source: "env" }
      : undefined;

  return {
    options,
    optionNames: fromEnv.names,
    ...server.value,
    admin,
    problems,
    warnings: fromEnv.warnings,
  };
}

/**
 * The demo's one addition, outside production only: when ADMIN_EMAIL/ADMIN_PASSWORD are not set,
 * an `admin@example.com` account is ensured with a password generated on first start and kept
 * beside the database, so that a newcomer can open the Admin page. The banner prints both.
 */
export function withDevelopmentAdmin(env: DemoEnv): DemoEnv {
  const { options } = env;
  if (env.admin || options.production || options.adminEmail || options.adminPassword) return env;
  const admin = developmentAdmin(options.databaseUrl ?? DEFAULT_DATABASE_URL);
  return {
    ...env,
    admin,
    options: { ...options, adminEmail: admin.email, adminPassword: admin.password },
  };
}

/** The development admin: its password generated once and kept in `data/demo-admin-password`. */
export function developmentAdmin(databaseUrl: string): DemoAdmin {
  const sqliteFile = /^sqlite:(?!:memory:)(.+)$/.exec(databaseUrl)?.[1];
  if (databaseUrl === "sqlite::memory:") {
    return { email: DEFAULT_ADMIN_EMAIL, password: generatePassword(), source: "memory" };
  }
  const file = join(sqliteFile ? dirname(sqliteFile) : "data", "demo-admin-password");
  if (existsSync(file)) {
    const password = readFileSync(file, "utf8").trim();
    if (password.length >= 8) return { email: DEFAULT_ADMIN_EMAIL, password, source: "file", file };
  }
  const password = generatePassword();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { email: DEFAULT_ADMIN_EMAIL, password, source: "generated", file };
}

/** Easy to read aloud and type: three groups of four letters and digits (about 62 bits). */
function generatePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  const group = () =>
    Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `${group()}-${group()}-${group()}`;
}

/** Like `baton serve`: `true`/`false`, a hop count, or a list of proxy addresses/CIDRs. */

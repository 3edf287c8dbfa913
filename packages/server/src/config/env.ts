import type { BatonOptions } from "./options.js";
import { isGroup, type OptionTable } from "./option-kinds.js";
import { OPTIONS, SERVER_OPTIONS, variablesOf } from "./option-table.js";
import { readOptions } from "./read-options.js";

export { isProductionEnv } from "./node-env.js";
export { parseTrustProxy } from "./trust-proxy.js";

/** Every variable Baton reads (docs/configuration.md documents each; a test checks it). */
export function environmentVariables(): string[] {
  return [...variablesOf(OPTIONS), ...variablesOf(SERVER_OPTIONS)];
}

/** Standalone-server settings that only the environment (or `startServer`) provides. */
export interface ServerEnv {
  port: number;
  host: string;
  trustProxy: boolean | number | string[];
}

/**
 * Reads Baton's options from environment variables (option-table.ts says which). Returns the
 * options, the variable each came from (for error messages), and the problems found while
 * parsing. Where several variables set one option, Baton's own name wins over the seeds' aliases.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): {
  options: BatonOptions;
  names: Partial<Record<keyof BatonOptions, string>>;
  problems: string[];
  warnings: string[];
} {
  const { options, names, problems } = readEnv(OPTIONS, env);
  // Always decided here: createBaton would otherwise apply the rule to its own process.env,
  // and the CLI reads the environment it was given.
  options.production ??= false;
  const warnings: string[] = [];
  if (options.production && env.NODE_ENV !== "production") {
    warnings.push(
      `NODE_ENV=${JSON.stringify(env.NODE_ENV)} is not "development" or "test": production rules apply (exactly "development" or "test" runs in development mode).`,
    );
  }
  return { options: options, names, problems, warnings };
}

/** PORT, HOST and TRUST_PROXY for the standalone server. */
export function serverEnv(env: NodeJS.ProcessEnv): { value: ServerEnv; problems: string[] } {
  const read = readEnv(SERVER_OPTIONS, env);
  const { values, problems } = readOptions(SERVER_OPTIONS, read.options, read.names);
  return {
    value: { port: values.port, host: values.host, trustProxy: values.trustProxy ?? false },
    problems: [...read.problems, ...problems],
  };
}

/**
 * Each option of `table` from the first of its variables that is set (and not empty), parsed by
 * its kind; options of a group land in a nested object, named `group.option`.
 */
function readEnv(
  table: OptionTable,
  env: NodeJS.ProcessEnv,
  path = "",
): { options: Record<string, unknown>; names: Record<string, string>; problems: string[] } {
  const options: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, { env: variables, kind }] of Object.entries(table)) {
    if (isGroup(kind)) {
      const nested = readEnv(kind.table, env, `${path + key}.`);
      if (Object.keys(nested.options).length > 0) options[key] = nested.options;
      Object.assign(names, nested.names);
      problems.push(...nested.problems);
      continue;
    }
    if (variables[0] === undefined || kind.fromEnv === undefined) continue;
    names[path + key] = variables[0];
    const variable = variables.find((name) => env[name] !== undefined && env[name] !== "");
    if (variable === undefined) continue;
    names[path + key] = variable;
    const reading = kind.fromEnv(env[variable]!, variable);
    if (reading.problem === undefined) options[key] = reading.value;
    else problems.push(reading.problem);
  }
  return { options, names, problems };
}

import { closestName } from "./closest-name.js";
import type { OptionInputs, OptionKind, OptionTable, OptionValues } from "./option-kinds.js";

/** Options a table does not take but another API does (`startServer`): named in the refusal. */
export interface OptionsElsewhere {
  table: OptionTable;
  /** The API that takes them. */
  owner: string;
}

/**
 * Reads options against a table: refuses unknown keys (with the closest valid one and the list
 * of all), checks each value by its kind, and fills in the defaults. Every problem is collected,
 * named by what the user wrote: `names` maps keys to environment variable names when the
 * options came from the environment.
 */
export function readOptions<T extends OptionTable>(
  table: T,
  given: object,
  names: Readonly<Record<string, string | undefined>>,
  elsewhere?: OptionsElsewhere,
): { values: OptionValues<T>; problems: string[] } {
  const problems: string[] = [];
  const values = readLevel(table, given, names, "", problems, elsewhere);
  return { values: values as OptionValues<T>, problems };
}

function readLevel(
  table: OptionTable,
  given: object,
  names: Readonly<Record<string, string | undefined>>,
  path: string,
  problems: string[],
  elsewhere?: OptionsElsewhere,
): Record<string, unknown> {
  refuseUnknownKeys(table, given, path, problems, elsewhere);
  const values: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(table)) {
    const value = (given as Record<string, unknown>)[key];
    values[key] = entry.kind.resolve(value, names[path + key] ?? path + key, problems, names);
  }
  return values;
}

/**
 * Options nested under one key: an object whose keys are checked against `table` as the top
 * level's are (unknown ones refused, every key named by its path, `group.option`).
 */
export function group<T extends OptionTable>(
  table: T,
): OptionKind<OptionValues<T>, Partial<OptionInputs<T>>> & { readonly table: T } {
  return {
    table,
    resolve(given, label, problems, names) {
      if (given === undefined || (typeof given === "object" && given !== null)) {
        return readLevel(table, given ?? {}, names, `${label}.`, problems) as OptionValues<T>;
      }
      problems.push(`${label}: ${JSON.stringify(given)} must be an object`);
      return readLevel(table, {}, names, `${label}.`, []) as OptionValues<T>;
    },
    defaultDoc: "—",
    allowedDoc: "an object",
  };
}

function refuseUnknownKeys(
  table: OptionTable,
  given: object,
  path: string,
  problems: string[],
  elsewhere: OptionsElsewhere | undefined,
): void {
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(table, key));
  if (unknown.length === 0) return;
  const valid = Object.keys(table);
  const otherKeys = elsewhere ? Object.keys(elsewhere.table) : [];
  // An environment variable written as a key (`JWT_SECRET: ...`) points at its option.
  const variables = Object.fromEntries(
    Object.entries({ ...elsewhere?.table, ...table }).flatMap(([key, entry]) =>
      entry.env.map((variable) => [variable, key]),
    ),
  );
  const refusals = unknown.map((key) => {
    if (otherKeys.includes(key))
      return `${path + key} is not an option here: only ${elsewhere?.owner} takes it`;
    const meant = closestName(key, [...valid, ...otherKeys], variables);
    const guess = meant === undefined ? "" : ` (did you mean ${path + meant}?)`;
    return `${path + key} is not an option${guess}`;
  });
  const list = valid.map((key) => path + key).join(", ");
  const more = elsewhere ? ` (${elsewhere.owner} also takes ${otherKeys.join(", ")})` : "";
  problems.push(`${refusals.join("; ")}; the options are: ${list}${more}`);
}

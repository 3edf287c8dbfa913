import { closestName } from "./closest-name.js";
import { isGroup, type OptionTable, type OptionValues } from "./option-kinds.js";

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
  const values = readLevel(table, given as Record<string, unknown>, names, "", problems, elsewhere);
  return { values: values as OptionValues<T>, problems };
}

function readLevel(
  table: OptionTable,
  given: Record<string, unknown>,
  names: Readonly<Record<string, string | undefined>>,
  path: string,
  problems: string[],
  elsewhere: OptionsElsewhere | undefined,
): Record<string, unknown> {
  refuseUnknownKeys(table, given, path, problems, elsewhere);
  const values: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(table)) {
    const label = names[path + key] ?? path + key;
    const value = given[key];
    if (!isGroup(entry.kind)) {
      values[key] = entry.kind.resolve(value, label, problems);
    } else if (value !== undefined && (typeof value !== "object" || value === null)) {
      problems.push(`${label}: ${JSON.stringify(value)} must be an object`);
      values[key] = readLevel(entry.kind.table, {}, names, `${path + key}.`, [], undefined);
    } else {
      const nested = (value ?? {}) as Record<string, unknown>;
      values[key] = readLevel(
        entry.kind.table,
        nested,
        names,
        `${path + key}.`,
        problems,
        undefined,
      );
    }
  }
  return values;
}

function refuseUnknownKeys(
  table: OptionTable,
  given: Record<string, unknown>,
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
  problems.push(`${refusals.join(", ")}; the options are: ${list}${more}`);
}

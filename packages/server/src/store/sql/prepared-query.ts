import type { Compilable, Kysely, QueryResult } from "kysely";

/** Stands for a parameter while the query is compiled; never a value a caller could pass. */
const MARKER = "\u0000baton-parameter:";

/** A stand-in for the value of parameter `name` (annotate it to declare the parameters). */
export type Param<Params> = <K extends keyof Params & string>(name: K) => Params[K];

/** Runs the compiled query on `db` (the database or an open transaction) with `params`. */
export type PreparedQuery<DB, Params, Row> = (
  db: Pick<Kysely<DB>, "executeQuery">,
  params: Params,
) => Promise<QueryResult<Row>>;

/**
 * A query Kysely builds and compiles once, then runs with new values each time.
 *
 * Why: Kysely rebuilds its immutable (frozen) operation tree and recompiles the SQL on every
 * call, which on the refresh path cost about as much CPU as SQLite executing the statements.
 * `build` gets `param(name)`, a stand-in for a value supplied at execution; every stand-in must
 * come out of the compiler as a bind parameter, which is checked here, once.
 */
export function prepareQuery<DB, Params extends object, Row>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>, param: Param<Params>) => Compilable<Row>,
): PreparedQuery<DB, Params, Row> {
  const declared = new Set<string>();
  const compiled = build(db, (name) => {
    declared.add(name);
    return `${MARKER}${name}` as Params[typeof name];
  }).compile();
  const slots = compiled.parameters.map((value) =>
    typeof value === "string" && value.startsWith(MARKER) ? value.slice(MARKER.length) : undefined,
  );
  for (const name of declared) {
    if (!slots.includes(name))
      throw new Error(`prepareQuery: parameter "${name}" did not compile to a bind parameter`);
  }
  return (executor, params) =>
    executor.executeQuery<Row>({
      ...compiled,
      parameters: slots.map((slot, index) =>
        slot === undefined ? compiled.parameters[index] : params[slot as keyof Params],
      ),
    });
}

import { parseDuration } from "./duration.js";

/** What an environment variable's text becomes: the option's value, or a problem naming it. */
export type EnvReading = { value: unknown; problem?: undefined } | { problem: string };

/**
 * How one kind of option is read, checked, defaulted and documented. `In` is what a program may
 * pass (the option's type in BatonOptions), `Out` what the resolved configuration holds.
 */
export interface OptionKind<Out, In> {
  /**
   * Resolves a given value (undefined: not given), pushing a problem named by `label`. `names`
   * (what the user wrote for each option, by key path) is for kinds that hold other options.
   */
  resolve(
    given: unknown,
    label: string,
    problems: string[],
    names: Readonly<Record<string, string | undefined>>,
  ): Out;
  /** Text of an environment variable → the value a program would pass. Absent: not from env. */
  fromEnv?(raw: string, variable: string): EnvReading;
  /** The default as docs/configuration.md shows it. */
  readonly defaultDoc: string;
  /** The values allowed, as docs/configuration.md shows them. */
  readonly allowedDoc: string;
  /** Type only: what a program may pass. Never set. */
  readonly input?: In;
}

/** One option: the names it has in the environment, how it is read, and its one-line summary. */
export interface OptionEntry {
  /** Baton's variable first, then aliases (the seeds' names); [] when only a program sets it. */
  readonly env: readonly string[];
  // `any`: a table holds kinds of every type; OptionInputs/OptionValues recover each one.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly kind: OptionKind<any, any>;
  /** The first sentence of the option's row in docs/configuration.md (the docs test checks it). */
  readonly doc: string;
}

export type OptionTable = Readonly<Record<string, OptionEntry>>;

/** What a program may pass, option by option: BatonOptions must be exactly this (a type test). */
export type OptionInputs<T extends OptionTable> = {
  -readonly [K in keyof T]: T[K]["kind"] extends OptionKind<unknown, infer In> ? In : never;
};

/** What resolving a table yields, option by option. */
export type OptionValues<T extends OptionTable> = {
  [K in keyof T]: T[K]["kind"] extends OptionKind<infer Out, unknown> ? Out : never;
};

const code = (value: unknown) => `\`${String(value)}\``;
const quoted = (value: unknown) => JSON.stringify(value);

/**
 * A duration: seconds as a number, or text such as `900`, `15m`, `7d`, `250ms`. Resolves to
 * milliseconds. `offOrAtLeast`: 0 means off, anything else must reach that minimum.
 */
export function duration(
  fallback: string | number | undefined,
  min: string,
  max: string,
  more: { offOrAtLeast?: string; defaultDoc?: string } = {},
): OptionKind<number | undefined, number | string> {
  const [minMs, maxMs] = [parseDuration(min) ?? 0, parseDuration(max) ?? 0];
  const atLeastMs = more.offOrAtLeast === undefined ? 0 : (parseDuration(more.offOrAtLeast) ?? 0);
  return {
    resolve(given, label, problems) {
      const raw = given ?? fallback;
      if (raw === undefined) return undefined;
      const ms =
        typeof raw === "number" || typeof raw === "string" ? parseDuration(raw) : undefined;
      if (ms === undefined) {
        problems.push(`${label}: ${quoted(raw)} is not a duration (e.g. 900, 15m, 2s, 7d)`);
        return fallback === undefined ? undefined : (parseDuration(fallback) ?? 0);
      }
      if (ms < minMs || ms > maxMs) {
        problems.push(
          `${label}: ${quoted(raw)} must be between ${minMs / 1000}s and ${maxMs / 1000}s`,
        );
      } else if (ms !== 0 && ms < atLeastMs) {
        problems.push(`${label} must be 0 (off) or at least ${more.offOrAtLeast}`);
      }
      return ms;
    },
    fromEnv: (raw) => ({ value: raw }),
    defaultDoc: more.defaultDoc ?? (fallback === 0 ? "`0` (off)" : code(fallback)),
    allowedDoc:
      more.offOrAtLeast === undefined
        ? `${code(min)} – ${code(max)}`
        : `\`0\` (off) or ${code(more.offOrAtLeast)} – ${code(max)}`,
  };
}

/** A whole number from `min` to `max`. */
export function integer(fallback: number, min: number, max: number): OptionKind<number, number> {
  return {
    resolve(given, label, problems) {
      const value = given ?? fallback;
      if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        problems.push(`${label}: ${quoted(value)} must be a whole number from ${min} to ${max}`);
        return fallback;
      }
      return value;
    },
    fromEnv: (raw, variable) =>
      /^\d+$/.test(raw.trim())
        ? { value: Number(raw.trim()) }
        : { problem: `${variable}: ${quoted(raw)} is not a whole number` },
    defaultDoc: code(fallback),
    allowedDoc: `${code(min)} – ${code(max)}`,
  };
}

/** `true` or `false`; the environment also says `1`/`0`, `yes`/`no`, `on`/`off`. */
export function boolean(
  fallback: boolean | undefined,
  more: { defaultDoc?: string } = {},
): OptionKind<boolean | undefined, boolean> {
  return {
    resolve(given, label, problems) {
      if (given === undefined || typeof given === "boolean") return given ?? fallback;
      problems.push(`${label}: ${quoted(given)} must be true or false`);
      return fallback;
    },
    fromEnv(raw, variable) {
      if (/^(true|1|yes|on)$/i.test(raw)) return { value: true };
      if (/^(false|0|no|off)$/i.test(raw)) return { value: false };
      return { problem: `${variable}: ${quoted(raw)} must be true or false` };
    },
    defaultDoc: more.defaultDoc ?? code(fallback),
    allowedDoc: "`true`, `false`",
  };
}

/**
 * One of a few values. `refusal` words the problem: "must be" lists them, "is not supported"
 * says the value is known to be missing (an algorithm). `caseless`: the environment may write
 * them in any case.
 */
export function oneOf<const V extends string>(
  values: readonly V[],
  fallback: NoInfer<V>,
  more: { refusal?: "must be" | "is not supported"; caseless?: boolean } = {},
): OptionKind<V, V> {
  const listed = `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
  return {
    resolve(given, label, problems) {
      const value = given ?? fallback;
      if (values.includes(value as V)) return value as V;
      problems.push(
        more.refusal === "is not supported"
          ? `${label}: ${quoted(value)} is not supported (${listed})`
          : `${label}: ${quoted(value)} must be ${listed}`,
      );
      return fallback;
    },
    fromEnv: (raw) => ({ value: more.caseless ? raw.toLowerCase() : raw }),
    defaultDoc: code(fallback),
    allowedDoc: values.map(code).join(", "),
  };
}

/**
 * Text. Empty text is the same as none, as an empty environment variable is. `pattern`: what the
 * text must look like, `must` the end of the problem (`quote: false` keeps the value out of the
 * message: it may hold a password).
 */
export function text<const D extends string | undefined = undefined>(
  more: {
    default?: D;
    defaultDoc?: string;
    pattern?: RegExp;
    must?: string;
    allowedDoc?: string;
    quote?: boolean;
  } = {},
): OptionKind<D extends string ? string : string | undefined, string> {
  type Out = D extends string ? string : string | undefined;
  return {
    resolve(given, label, problems) {
      if (given !== undefined && typeof given !== "string") {
        problems.push(`${label}: ${quoted(given)} must be text`);
        return more.default as Out;
      }
      const value = given || more.default;
      if (value !== undefined && more.pattern && !more.pattern.test(value)) {
        problems.push(
          more.quote === false
            ? `${label}: ${more.must}`
            : `${label}: ${quoted(value)} ${more.must}`,
        );
      }
      return value as Out;
    },
    fromEnv: (raw) => ({ value: raw }),
    defaultDoc: more.defaultDoc ?? (more.default === undefined ? "—" : code(more.default)),
    allowedDoc: more.allowedDoc ?? "text",
  };
}

/**
 * A list: an array in a program, comma-separated in the environment. Each item is trimmed of
 * trailing slashes and must match `pattern` (`must` ends the problem).
 */
export function originList(more: {
  pattern: RegExp;
  must: string;
  allowedDoc: string;
}): OptionKind<readonly string[], string[]> {
  return {
    resolve(given, label, problems) {
      if (given !== undefined && !(Array.isArray(given) && given.every(isString))) {
        problems.push(`${label}: ${quoted(given)} must be a list of origins`);
        return [];
      }
      const items = (given ?? []).map((item) => item.replace(/\/+$/, ""));
      for (const item of items) {
        if (!more.pattern.test(item)) problems.push(`${label}: ${quoted(item)} ${more.must}`);
      }
      return items;
    },
    fromEnv: (raw) => ({ value: commaList(raw) }),
    defaultDoc: "none",
    allowedDoc: more.allowedDoc,
  };
}

/** `a, b ,c` → `["a", "b", "c"]`. */
export function commaList(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * A value only a program can pass (a store, a logger, a callback): passed through as is.
 * `what` documents it; `check` tells whether a given value is one.
 */
export function programValue<T>(
  what: string,
  check: (value: unknown) => boolean,
): OptionKind<T | undefined, T> {
  return {
    resolve(given, label, problems) {
      if (given !== undefined && !check(given)) problems.push(`${label}: must be ${what}`);
      return given as T | undefined;
    },
    defaultDoc: "—",
    allowedDoc: what,
  };
}

/** Is this kind a group of nested options (read-options.ts `group`)? */
export function isGroup(
  kind: OptionEntry["kind"],
): kind is OptionEntry["kind"] & { readonly table: OptionTable } {
  return "table" in kind;
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

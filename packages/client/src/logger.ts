/**
 * Where the client's debug output goes. Fields are redacted before they reach it: token text is
 * never passed to a logger (the seeds' `console.log(token.substring(0, 30))` put bearer tokens in
 * every support ticket's console dump).
 *
 * @example
 * ```ts
 * const logger: AuthLogger = {
 *   debug: (message, fields) => console.debug("[auth]", message, fields),
 *   warn: (message, fields) => console.warn("[auth]", message, fields),
 * };
 * createAuthClient({ baseUrl: "/api/auth", logger });
 * ```
 */
export interface AuthLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * A logger that writes to the console with a `[baton]` prefix (what `debug: true` uses).
 *
 * @example
 * ```ts
 * createAuthClient({ baseUrl: "/api/auth", logger: consoleLogger });
 * ```
 */
export const consoleLogger: AuthLogger = {
  debug: (message, fields) => console.debug(`[baton] ${message}`, fields ?? ""),
  warn: (message, fields) => console.warn(`[baton] ${message}`, fields ?? ""),
};

const silentLogger: AuthLogger = { debug: () => {}, warn: () => {} };

const SECRET_KEY = /token|authorization|cookie|password|secret/i;
// Three base64url segments: a JWT, whatever key it hides under.
const JWT_SHAPE = /[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g;

/**
 * Wraps a logger so that secret-looking fields and JWT-shaped strings are replaced by
 * `"[redacted]"`, recursively, before the inner logger sees them.
 */
export function redactingLogger(inner: AuthLogger | undefined): AuthLogger {
  const target = inner ?? silentLogger;
  return {
    debug: (message, fields) => target.debug(redactText(message), fields && redactFields(fields)),
    warn: (message, fields) => target.warn(redactText(message), fields && redactFields(fields)),
  };
}

function redactText(text: string): string {
  return text.replace(JWT_SHAPE, "[redacted]");
}

function redactFields(fields: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEY.test(key) ? "[redacted]" : redactValue(value, depth);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactText(value);
  if (value instanceof Error) return `${value.name}: ${redactText(value.message)}`;
  if (depth >= 3 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return redactFields(value as Record<string, unknown>, depth + 1);
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses `900` (seconds), `"900"`, `"15m"`, `"2s"`, `"7d"`, `"250ms"` into milliseconds.
 * Returns undefined for anything else so the caller can name the offending option.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? "s") as keyof typeof UNIT_MS;
  return Math.round(amount * UNIT_MS[unit]);
}

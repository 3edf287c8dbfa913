/**
 * The name a typo most likely meant, for "did you mean …?": the candidate at the smallest edit
 * distance, ignoring case and `_`, if it is close enough (a third of the name's length, at
 * least 2 edits) to be a guess worth showing. `aliases` map other spellings (environment
 * variable names) to the name they stand for.
 */
export function closestName(
  written: string,
  candidates: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const plain = (name: string) => name.toLowerCase().replace(/_/g, "");
  const target = plain(written);
  let best: { name: string; distance: number } | undefined;
  for (const [spelling, name] of [
    ...candidates.map((name) => [name, name] as const),
    ...Object.entries(aliases),
  ]) {
    const distance = editDistance(target, plain(spelling));
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  const limit = Math.max(2, Math.floor(written.length / 3));
  return best !== undefined && best.distance <= limit ? best.name : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length]!;
}

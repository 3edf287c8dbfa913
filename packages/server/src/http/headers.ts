/** First value of a header that Node may present as a list. */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** How many times a header occurs in the raw header list (Node keeps only the first Authorization). */
export function countHeader(rawHeaders: readonly string[], name: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const header = rawHeaders[i]!;
    // Length first: no string is lower-cased unless it can match (this runs on every request).
    if (header.length === name.length && header.toLowerCase() === name) count++;
  }
  return count;
}

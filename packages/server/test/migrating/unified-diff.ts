/**
 * Just enough of the unified diff format (what `git diff --no-prefix` prints) to apply the diffs
 * of docs/migrating.md to the fixtures they are about, strictly: every context and removed line
 * must be in the file at the line the hunk names, or the diff does not apply.
 */

export interface FileDiff {
  /** Path of the file before, or "/dev/null" for a file the diff creates. */
  from: string;
  /** Path of the file after, or "/dev/null" for a file the diff deletes. */
  to: string;
  hunks: Hunk[];
}

interface Hunk {
  /** 1-based line of the file before where the hunk starts. */
  start: number;
  lines: string[];
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/;

/** The files of one diff text, in order. Lines other than headers and hunks are ignored. */
export function parseUnifiedDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  const lines = text.replace(/\n$/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("--- ") && lines[i + 1]?.startsWith("+++ ")) {
      files.push({ from: line.slice(4), to: lines[i + 1]!.slice(4), hunks: [] });
      i++;
      continue;
    }
    const hunk = HUNK.exec(line);
    if (hunk !== null) {
      const file = files.at(-1);
      if (file === undefined) throw new Error(`hunk before any file header: ${line}`);
      file.hunks.push({ start: Number(hunk[1]), lines: [] });
      continue;
    }
    const current = files.at(-1)?.hunks.at(-1);
    if (current !== undefined && /^[ +-]/.test(line)) current.lines.push(line);
    else if (current !== undefined && line === "") current.lines.push(" "); // a blank context line
  }
  return files;
}

/** The file after the diff; throws, naming the line, when the diff does not fit `before`. */
export function applyFileDiff(before: string, diff: FileDiff): string {
  const source = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const result: string[] = [];
  let at = 0; // next line of `source` to copy
  for (const hunk of diff.hunks) {
    const start = Math.max(hunk.start - 1, 0);
    if (start < at) throw new Error(`${diff.from}: hunks overlap at line ${hunk.start}`);
    result.push(...source.slice(at, start));
    at = start;
    for (const line of hunk.lines) {
      const text = line.slice(1);
      if (line.startsWith("+")) {
        result.push(text);
        continue;
      }
      if (source[at] !== text)
        throw new Error(
          `${diff.from}:${at + 1}: the diff expects ${JSON.stringify(text)}, the file has ${JSON.stringify(source[at])}`,
        );
      if (line.startsWith(" ")) result.push(text);
      at++;
    }
  }
  result.push(...source.slice(at));
  return result.length === 0 ? "" : `${result.join("\n")}\n`;
}

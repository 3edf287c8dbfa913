/** Counts an import has reached, for the progress display. */
export interface ImportCounts {
  rows: number;
  rejected: number;
  /** Fraction of the input read, when its size is known. */
  fraction: number | undefined;
}

const BAR_WIDTH = 24;
const TTY_EVERY_MS = 100;
const PLAIN_EVERY_MS = 2000;

/**
 * Progress on stderr: a bar redrawn in place on a terminal, a plain line every two seconds when
 * stderr is a file or a pipe (logs stay readable), nothing after `done()`.
 */
export class Progress {
  private last = 0;
  private readonly started = performance.now();
  private drawn = false;

  constructor(
    private readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly label: string,
  ) {}

  update(counts: ImportCounts): void {
    const now = performance.now();
    const tty = this.stderr.isTTY === true;
    if (now - this.last < (tty ? TTY_EVERY_MS : PLAIN_EVERY_MS)) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(counts.rows / seconds) : 0;
    const percent =
      counts.fraction === undefined ? "" : `${Math.floor(Math.min(counts.fraction, 1) * 100)}% `;
    const tally = `${counts.rows.toLocaleString("en-US")} rows, ${counts.rejected.toLocaleString("en-US")} rejected, ${rate.toLocaleString("en-US")}/s`;
    if (!tty) {
      this.stderr.write(`${this.label}: ${percent}${tally}\n`);
      return;
    }
    const filled =
      counts.fraction === undefined ? 0 : Math.round(Math.min(counts.fraction, 1) * BAR_WIDTH);
    const bar =
      counts.fraction === undefined
        ? ""
        : `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] `;
    const text = `${this.label} ${bar}${percent}${tally}`;
    this.stderr.write(`\r${text.slice(0, (this.stderr.columns ?? 120) - 1)}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the bar so the summary starts on a clean line. */
  done(): void {
    if (this.drawn) this.stderr.write("\r\x1b[K");
    this.drawn = false;
  }
}

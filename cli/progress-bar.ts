/** A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal. */

/** Minimum time between redraws: a terminal needs no more than ~10 updates a second. */
const redrawIntervalMs = 100;

/** Draws `label [#####     ] 42% 12.3 MB/s` in place. */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly label: string;
  private readonly startMs = Date.now();
  private lastDrawMs = 0;
  private drawn = false;

  constructor(label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.label = label;
    this.stream = stream;
  }

  /** Redraws with `done` of `total` bytes and `rows` rows so far (throttled). */
  update(done: number, total: number, rows: number): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.lastDrawMs < redrawIntervalMs) return;
    this.lastDrawMs = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = Math.max(0.001, (now - this.startMs) / 1000);
    const rate = `${(done / seconds / 1e6).toFixed(1)} MB/s`;
    const bar = `${'#'.repeat(filled)}${' '.repeat(width - filled)}`;
    this.stream.write(`\r${this.label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${rows.toLocaleString('en-US')} rows ${rate}  `);
    this.drawn = true;
  }

  /** Clears the line. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
  }
}

/**
 * Bad records of one conversion step. With policy 'abort' only the earliest failure (by row,
 * then column) matters and is thrown; with 'reject' every failing row is flagged so it can be
 * dropped from the batch and copied verbatim to the rejects file.
 */
import type { StrataError } from '../storage/index.js';

/** Errors kept as examples for the summary when rejecting. */
const rejectSamplesMax = 10;

/** What to do with a bad record. */
export type ErrorPolicy = 'abort' | 'reject';

/** Failing rows of the rows [rowStart, rowStart + rows) being converted. */
export class RowFailures {
  /** Per row of the step: 1 when rejected. */
  flags: Uint8Array = new Uint8Array(0);
  /** Rows flagged in this step. */
  count = 0;
  rowStart = 0;
  /** The earliest failure ('abort'). */
  first: StrataError | null = null;
  /** The first few failures of the whole load ('reject'), for the summary. */
  readonly samples: StrataError[] = [];
  private firstRow = Infinity;

  constructor(readonly policy: ErrorPolicy) {}

  /** Starts a step over rows [rowStart, rowEnd). */
  reset(rowStart: number, rowEnd: number): void {
    const rows = rowEnd - rowStart;
    if (this.flags.length < rows) this.flags = new Uint8Array(Math.max(rows, this.flags.length * 2));
    this.flags.fill(0, 0, rows);
    this.rowStart = rowStart;
    this.count = 0;
    this.first = null;
    this.firstRow = Infinity;
  }

  /** True when a failure at `row` would change the outcome (callers skip building errors otherwise). */
  wants(row: number): boolean {
    return this.policy === 'abort' ? row < this.firstRow : this.flags[row - this.rowStart] === 0;
  }

  /** Records that `row` failed with `error`. */
  fail(row: number, error: StrataError): void {
    if (!this.wants(row)) return;
    if (this.policy === 'abort') {
      this.first = error;
      this.firstRow = row;
      return;
    }
    this.flags[row - this.rowStart] = 1;
    this.count++;
    if (this.samples.length < rejectSamplesMax) this.samples.push(error);
  }
}

/**
 * The contract between the streaming loop and a file format: scan complete records out of a
 * buffer, then convert a range of them, a column at a time, into column builders.
 */
import type { ColumnBuilder } from './column-builder.js';
import type { RowFailures } from './row-failures.js';

/** Reads one format (CSV, NDJSON) for one file. */
export interface RecordReader {
  /** Records found by the last scan. */
  readonly records: number;
  /** 1-based line where the next unscanned record starts. */
  readonly line: number;
  /**
   * Finds the complete records in data[start, end) and returns the offset where the first
   * incomplete one begins (end when none). `final` says no more bytes follow. The records stay
   * valid, and `data` must stay unchanged, until the next scan.
   */
  scan(data: Buffer, start: number, end: number, final: boolean): number;
  /**
   * Converts records [rowStart, rowEnd) of the last scan into `columns` (one builder per schema
   * column), writing record rowStart at row `base`. Bad records go to `failures`.
   */
  convert(columns: readonly ColumnBuilder[], base: number, rowStart: number, rowEnd: number, failures: RowFailures): void;
  /** Byte offsets [start, end) of record r's original text, line end included. */
  recordBytes(r: number): [number, number];
}

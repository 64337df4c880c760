/**
 * Per-column statistics of a partition (min, max, NULL count) in the in-memory units of
 * vector.ts; the query engine prunes partitions with them.
 */
import type { StatValue } from './table-types.js';
import type { DataType } from './types.js';
import type { ColumnChunk, NumericChunk, StringChunk } from './partition-column-chunk.js';

/** Min and max over the non-NULL values of a column; null when every value is NULL. */
export interface ValueRange {
  readonly min: StatValue;
  readonly max: StatValue;
}

/** Numeric range plus whether every non-NULL value is an integer (narrow encodings need it). */
export interface NumericRange {
  readonly min: number | null;
  readonly max: number | null;
  readonly allIntegers: boolean;
}

/**
 * Min and max of the non-NULL numbers of a chunk. NaN sorts above every number (as in
 * PostgreSQL and DuckDB), so a column holding NaN has max NaN and pruning never drops it.
 */
export function numericRange(chunk: NumericChunk): NumericRange {
  const values = chunk.values;
  const nulls = chunk.nulls;
  assertNotBigInt(values);
  let min = Infinity;
  let max = -Infinity;
  let seen = 0;
  let hasNaN = false;
  let allIntegers = true;
  for (let i = 0; i < values.length; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const value = values[i];
    seen++;
    if (value !== value) {
      hasNaN = true;
      allIntegers = false;
      continue;
    }
    if (value < min) min = value;
    if (value > max) max = value;
    if (allIntegers && Math.floor(value) !== value) allIntegers = false;
  }
  if (seen === 0) return { min: null, max: null, allIntegers: true };
  if (hasNaN) return { min: min === Infinity ? NaN : min, max: NaN, allIntegers };
  return { min, max, allIntegers };
}

function assertNotBigInt(values: ArrayLike<number | bigint>): asserts values is ArrayLike<number> {
  if (values instanceof BigInt64Array) throw new TypeError('BigInt64Array values cannot be stored');
}

/** Min and max of the strings non-NULL rows use, in code unit order. */
export function stringRange(chunk: StringChunk): ValueRange {
  const dictionary = chunk.dictionary;
  if (dictionary.length === 0) return { min: null, max: null };
  let min = dictionary[0];
  let max = dictionary[0];
  for (let i = 1; i < dictionary.length; i++) {
    const value = dictionary[i];
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}

/** The stats range of a chunk of `type`: booleans as false/true, everything else as numbers or strings. */
export function columnRange(chunk: ColumnChunk, type: DataType, numeric: NumericRange | null): ValueRange {
  if (chunk.kind === 'string') return stringRange(chunk);
  const range = numeric ?? numericRange(chunk);
  if (type.id === 'boolean') {
    return { min: range.min === null ? null : range.min !== 0, max: range.max === null ? null : range.max !== 0 };
  }
  return { min: range.min, max: range.max };
}

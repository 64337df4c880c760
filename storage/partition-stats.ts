/**
 * Per-column statistics of a partition (min, max, NULL count) in the in-memory units of
 * vector.ts; the query engine prunes partitions with them.
 */
import type { StatValue } from './table-types.js';
import type { DataType } from './types.js';
import type { ColumnChunk, NumericChunk, StringChunk } from './partition-column-chunk.js';
import type { Utf8Dictionary } from './vector.js';

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
  if (nulls === null) return rangeWithoutNulls(values);
  let min = Infinity;
  let max = -Infinity;
  let seen = 0;
  let hasNaN = false;
  let allIntegers = true;
  for (let i = 0; i < values.length; i++) {
    if (nulls[i] === 1) continue;
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
  return rangeOf(min, max, seen, hasNaN, allIntegers);
}

/**
 * The range of a column from the ranges of its consecutive slices (record batches), so the
 * writer reads the values once for both the zone maps and the partition's stats.
 */
export function mergeNumericRanges(ranges: readonly NumericRange[]): NumericRange {
  let min = Infinity;
  let max = -Infinity;
  let seen = 0;
  let hasNaN = false;
  let allIntegers = true;
  for (const range of ranges) {
    if (range.min === null || range.max === null) continue;
    seen++;
    allIntegers &&= range.allIntegers;
    if (range.max !== range.max) hasNaN = true;
    else if (range.max > max) max = range.max;
    // A slice of only NaN has min NaN; otherwise its min is a number.
    if (range.min === range.min && range.min < min) min = range.min;
  }
  return rangeOf(min, max, seen, hasNaN, allIntegers);
}

function rangeOf(min: number, max: number, seen: number, hasNaN: boolean, allIntegers: boolean): NumericRange {
  if (seen === 0) return { min: null, max: null, allIntegers: true };
  if (hasNaN) return { min: min === Infinity ? NaN : min, max: NaN, allIntegers };
  return { min, max, allIntegers };
}

/**
 * The range of a column without NULLs, in the tight loop most columns take: integer typed arrays
 * skip the NaN and fraction checks, and float64 checks fractions only until one is found.
 */
/** The range of int32 values (one loop over one array type, so the engine keeps it monomorphic). */
function int32Range(values: Int32Array): NumericRange {
  let min = values[0];
  let max = values[0];
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    if (value < min) min = value;
    else if (value > max) max = value;
  }
  return rangeOf(min, max, values.length, false, true);
}

function rangeWithoutNulls(values: ArrayLike<number>): NumericRange {
  const length = values.length;
  if (length === 0) return rangeOf(Infinity, -Infinity, 0, false, true);
  if (values instanceof Int32Array) return int32Range(values);
  if (!(values instanceof Float64Array)) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < length; i++) {
      const value = values[i];
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return rangeOf(min, max, length, false, true);
  }
  let min = Infinity;
  let max = -Infinity;
  let hasNaN = false;
  let allIntegers = true;
  for (let i = 0; i < length; i++) {
    const value = values[i];
    if (value < min) min = value;
    if (value > max) max = value;
    if (value !== value) hasNaN = true;
    else if (allIntegers && Math.floor(value) !== value) allIntegers = false;
  }
  return rangeOf(min, max, length, hasNaN, allIntegers && !hasNaN);
}

function assertNotBigInt(values: ArrayLike<number | bigint>): asserts values is ArrayLike<number> {
  if (values instanceof BigInt64Array) throw new TypeError('BigInt64Array values cannot be stored');
}

/** Min and max of the strings non-NULL rows use, in code unit order. */
export function stringRange(chunk: StringChunk): ValueRange {
  const utf8 = chunk.utf8;
  if (utf8 !== undefined && utf8ByteOrderIsCodeUnitOrder(utf8)) {
    // Every entry of a gathered UTF-8 dictionary is used by a non-NULL row.
    const entries = utf8.offsets.length - 1;
    if (entries === 0) return { min: null, max: null };
    const { min, max } = utf8RangeOfEntries(utf8, 0, entries);
    return { min: utf8Entry(utf8, min), max: utf8Entry(utf8, max) };
  }
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

/** Lead bytes of 4-byte UTF-8 sequences (code points past U+FFFF, surrogate pairs in UTF-16) start here. */
const utf8FourByteLead = 0xf0;

const byteOrderChecked = new WeakMap<Utf8Dictionary, boolean>();

/**
 * Whether comparing these UTF-8 entries byte by byte orders them as JS compares strings (UTF-16
 * code units): it does unless a code point past U+FFFF is present (its surrogates sort below
 * U+E000..U+FFFF in UTF-16, above them in UTF-8). The answer is kept per dictionary.
 */
export function utf8ByteOrderIsCodeUnitOrder(utf8: Utf8Dictionary): boolean {
  let result = byteOrderChecked.get(utf8);
  if (result === undefined) {
    result = !hasFourByteLead(utf8.data);
    byteOrderChecked.set(utf8, result);
  }
  return result;
}

/** Whether any byte of `data` starts a 4-byte UTF-8 sequence; ASCII text is checked four bytes at a time. */
function hasFourByteLead(data: Uint8Array): boolean {
  const alignedStart = Math.min(data.length, (4 - (data.byteOffset & 3)) & 3);
  const words = (data.length - alignedStart) >> 2;
  for (let i = 0; i < alignedStart; i++) if (data[i] >= utf8FourByteLead) return true;
  const view = new Uint32Array(data.buffer, data.byteOffset + alignedStart, words);
  for (let w = 0; w < words; w++) {
    if ((view[w] & 0x80808080) === 0) continue;
    const at = alignedStart + 4 * w;
    for (let i = at; i < at + 4; i++) if (data[i] >= utf8FourByteLead) return true;
  }
  for (let i = alignedStart + 4 * words; i < data.length; i++) if (data[i] >= utf8FourByteLead) return true;
  return false;
}

/** Byte-wise comparison of two entries of a UTF-8 dictionary (negative, 0, positive). */
export function compareUtf8Entries(utf8: Utf8Dictionary, a: number, b: number): number {
  const { offsets, data } = utf8;
  const aStart = offsets[a];
  const bStart = offsets[b];
  const aLength = offsets[a + 1] - aStart;
  const bLength = offsets[b + 1] - bStart;
  const common = aLength < bLength ? aLength : bLength;
  for (let k = 0; k < common; k++) {
    const difference = data[aStart + k] - data[bStart + k];
    if (difference !== 0) return difference;
  }
  return aLength - bLength;
}

/** The smallest and largest entries among [first, end) of a UTF-8 dictionary, in byte order. */
function utf8RangeOfEntries(utf8: Utf8Dictionary, first: number, end: number): { min: number; max: number } {
  let min = first;
  let max = first;
  for (let entry = first + 1; entry < end; entry++) {
    if (compareUtf8Entries(utf8, entry, min) < 0) min = entry;
    else if (compareUtf8Entries(utf8, entry, max) > 0) max = entry;
  }
  return { min, max };
}

/** Entries up to which a row range marks the entries it has compared (one byte each). */
const seenEntriesMax = 65_536;

/**
 * The smallest and largest entries rows [start, end) use (skipping NULL rows), in byte order;
 * -1 for both when every row is NULL.
 */
export function utf8RowRange(utf8: Utf8Dictionary, codes: Int32Array, nulls: Uint8Array | null, start: number, end: number): { min: number; max: number } {
  let min = -1;
  let max = -1;
  // Dictionary columns repeat codes: compare each entry once. Unique text rarely repeats.
  const entries = utf8.offsets.length - 1;
  const seen = entries <= seenEntriesMax ? new Uint8Array(entries) : null;
  for (let i = start; i < end; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const code = codes[i];
    if (seen !== null) {
      if (seen[code] === 1) continue;
      seen[code] = 1;
    }
    if (min < 0) {
      min = code;
      max = code;
    } else if (code !== min && code !== max) {
      if (compareUtf8Entries(utf8, code, min) < 0) min = code;
      else if (compareUtf8Entries(utf8, code, max) > 0) max = code;
    }
  }
  return { min, max };
}

/** Entry `entry` of a UTF-8 dictionary as a string. */
export function utf8Entry(utf8: Utf8Dictionary, entry: number): string {
  return Buffer.from(utf8.data.buffer, utf8.data.byteOffset, utf8.data.byteLength).toString('utf8', utf8.offsets[entry], utf8.offsets[entry + 1]);
}

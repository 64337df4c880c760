/**
 * Encodes a range of a planned column's rows (partition-column-planner.ts) into the raw Arrow
 * buffers of one record batch: narrow integers, dictionary indices, plain Utf8, or the buffers
 * of the column's strata encoding.
 */
import { layOut, toStored } from './encoding-integers.js';
import type { TextEncoding } from './encoding-spec.js';
import { joinRows } from './encoding-text.js';
import { encodeTokens } from './encoding-tokens.js';
import { StrataError } from './errors.js';
import type { PartitionColumn, PhysicalType } from './partition-format.js';
import type { ColumnChunk, NumericChunk, StringChunk } from './partition-column-chunk.js';
import type { NumericRange, ValueRange } from './partition-stats.js';
import { exactIntegerMax, storedDecimalPrecisionMax, typeToSql, type Field } from './types.js';

/** UTF-8 bytes of a list of strings, Arrow style: offsets[i]..offsets[i+1] is string i. */
export interface Utf8Strings {
  readonly offsets: Int32Array;
  readonly data: Uint8Array;
}

/** How one column of a partition is written, with its stats range. */
export interface ColumnPlan {
  readonly column: PartitionColumn;
  readonly chunk: ColumnChunk;
  readonly range: ValueRange;
  /** UTF-8 of the chunk's dictionary (string columns only). */
  readonly utf8: Utf8Strings | null;
  /** Values minus the reference column's values, for columns encoded against a reference. */
  readonly differences?: Float64Array;
}

/** Raw buffers of a column in one batch (validity first; an empty validity means no NULLs). */
export interface ColumnBuffers {
  readonly buffers: readonly Uint8Array[];
  readonly nullCount: number;
}

const empty = new Uint8Array(0);
const utf8Encoder = new TextEncoder();

/** Throws input PARTITION_TYPE_UNSUPPORTED for a column type no partition can hold. */
export function checkStorable(field: Field): void {
  const type = field.type;
  if (type.id === 'interval' || (type.id === 'decimal' && (type.precision ?? storedDecimalPrecisionMax) > storedDecimalPrecisionMax)) {
    throw new StrataError('input', 'PARTITION_TYPE_UNSUPPORTED',
      `column '${field.name}' is ${typeToSql(type)}, which partitions cannot store (INTERVAL, or DECIMAL beyond ${storedDecimalPrecisionMax} digits); declare DECIMAL(18,s), DOUBLE or BIGINT`);
  }
}

/** The plain Arrow layout of a numeric column holding `range` (refuses values its type cannot store). */
export function numericPhysical(field: Field, range: NumericRange): PhysicalType {
  const type = field.type;
  switch (type.id) {
    case 'boolean': return { kind: 'bool' };
    case 'float64': return { kind: 'float64' };
    case 'date': return { kind: 'date32' };
    case 'int16':
    case 'int32': return { kind: 'int', bitWidth: intWidth(range.min ?? 0, range.max ?? 0, false) };
    case 'timestamp':
      // Microseconds of years 1..9999 pass 2^53, but every float64 beyond 2^53 is an integer
      // and converts to int64 exactly, so only fractions are refused.
      requireExactIntegers(field, range, Infinity);
      return { kind: 'timestamp-us' };
    case 'decimal':
      requireExactIntegers(field, range);
      return { kind: 'int', bitWidth: intWidth(range.min ?? 0, range.max ?? 0, true) };
    case 'int64':
      requireExactIntegers(field, range);
      return { kind: 'int', bitWidth: intWidth(range.min ?? 0, range.max ?? 0, true) };
    case 'interval':
    case 'string':
      throw new StrataError('input', 'PARTITION_TYPE_UNSUPPORTED', `column '${field.name}': ${typeToSql(type)} values cannot be stored in a partition`);
  }
}

function requireExactIntegers(field: Field, range: NumericRange, magnitudeMax = exactIntegerMax): void {
  const inRange = range.min === null || (Math.abs(range.min) <= magnitudeMax && Math.abs(range.max ?? 0) <= magnitudeMax);
  if (range.allIntegers && inRange) return;
  throw new StrataError('input', 'PARTITION_VALUE_INVALID',
    `column '${field.name}' of type ${typeToSql(field.type)} holds a value that is not an integer or beyond the exact range (+-2^53, in-memory units); fix the loader that built the batch`);
}

/** Narrowest signed width holding [min, max]: 8, 16, 32 or (when allowed) 64 bits. */
export function intWidth(min: number, max: number, allow64: boolean): 8 | 16 | 32 | 64 {
  if (min >= -128 && max <= 127) return 8;
  if (min >= -32_768 && max <= 32_767) return 16;
  if (min >= -2_147_483_648 && max <= 2_147_483_647) return 32;
  if (!allow64) throw new RangeError(`integer range [${min}, ${max}] needs 64 bits`);
  return 64;
}

/** UTF-8 of `strings`, with Arrow int32 offsets. */
export function encodeUtf8Strings(strings: readonly string[]): Utf8Strings {
  const offsets = new Int32Array(strings.length + 1);
  let capacity = 0;
  for (let i = 0; i < strings.length; i++) capacity += strings[i].length * 3;
  let data = new Uint8Array(capacity);
  let used = 0;
  for (let i = 0; i < strings.length; i++) {
    used += utf8Encoder.encodeInto(strings[i], data.subarray(used)).written;
    offsets[i + 1] = used;
  }
  if (used >= 2 ** 31) throw new StrataError('resources', 'PARTITION_TOO_LARGE', 'a string column holds 2 GiB or more in one partition; load smaller partitions');
  data = data.subarray(0, used);
  return { offsets, data };
}

/** Raw Arrow buffers of rows [start, end) of a planned column, which form record batch number `batch`. */
export function encodeColumnBuffers(plan: ColumnPlan, start: number, end: number, batch: number): ColumnBuffers {
  const { bitmap, nullCount } = validityBitmap(plan.chunk.nulls, start, end);
  const { physical, encoding } = plan.column;
  const chunk = plan.chunk;
  if (encoding?.kind === 'integers') {
    const values = plan.differences ?? (chunk.kind === 'string' ? chunk.codes : chunk.values as Int32Array | Float64Array);
    return { buffers: [bitmap, layOut(toStored(values, chunk.nulls, start, end, encoding, batch), encoding)], nullCount };
  }
  if (chunk.kind === 'string') {
    if (physical.kind === 'dictionary') return { buffers: [bitmap, encodeInts(chunk.codes, start, end, physical.indexBitWidth)], nullCount };
    if (encoding?.kind === 'text') return { buffers: [bitmap, ...encodeText(plan, encoding, start, end)], nullCount };
    const { offsets, data } = plainStrings(chunk, plan.utf8!, start, end);
    return { buffers: [bitmap, new Uint8Array(offsets.buffer), data], nullCount };
  }
  return { buffers: [bitmap, encodeNumbers(chunk, physical, start, end)], nullCount };
}

/**
 * Offsets and data of encoded text: the whole byte stream sits in the batch's last row (offsets
 * 0, 0, …, 0, length), so plain Arrow readers see a valid column and zstd squeezes the offsets to nothing.
 */
function encodeText(plan: ColumnPlan, encoding: TextEncoding, start: number, end: number): Uint8Array[] {
  const chunk = plan.chunk as StringChunk;
  const rows = { data: plan.utf8!.data, offsets: plan.utf8!.offsets, codes: chunk.codes, nulls: chunk.nulls };
  const data = encoding.layout === 'tokens' ? encodeTokens(rows, start, end) : joinRows(rows, start, end, encoding.separator!);
  const offsets = new Int32Array(end - start + 1);
  offsets[end - start] = data.length;
  return [new Uint8Array(offsets.buffer), data];
}

/** Bytes of the column as plain, uncompressed Arrow (validity included): the 'raw' of stats ratios. */
export function plainColumnBytes(plan: ColumnPlan, rows: number): number {
  const chunk = plan.chunk;
  const validity = chunk.nullCount > 0 ? Math.ceil(rows / 8) : 0;
  if (chunk.kind === 'numeric') {
    const type = plan.column.type.id;
    const width = type === 'boolean' ? 1 / 8 : type === 'int16' ? 2 : type === 'int32' || type === 'date' ? 4 : 8;
    return validity + Math.ceil(rows * width);
  }
  const offsets = plan.utf8!.offsets;
  if (chunk.nulls === null && rows > 0 && codesInOrder(chunk.codes, 0, rows)) {
    return 4 * (rows + 1) + offsets[chunk.codes[rows - 1] + 1] - offsets[chunk.codes[0]];
  }
  const codes = chunk.codes;
  const nulls = chunk.nulls;
  let bytes = 4 * (rows + 1);
  if (nulls === null) {
    for (let i = 0; i < rows; i++) bytes += offsets[codes[i] + 1] - offsets[codes[i]];
  } else {
    for (let i = 0; i < rows; i++) if (nulls[i] === 0) bytes += offsets[codes[i] + 1] - offsets[codes[i]];
  }
  return validity + bytes;
}

/** The plain Arrow data buffer of rows [start, end) of a numeric chunk. */
export function encodeNumbers(chunk: NumericChunk, physical: PhysicalType, start: number, end: number): Uint8Array {
  const values = chunk.values as Int32Array | Float64Array | Uint8Array;
  switch (physical.kind) {
    case 'bool': return packBits(values as Uint8Array, start, end);
    case 'float64': return new Uint8Array((values as Float64Array).slice(start, end).buffer);
    case 'date32': return new Uint8Array((values as Int32Array).slice(start, end).buffer);
    case 'timestamp-us': return encodeInts(values as Float64Array, start, end, 64);
    case 'int': return encodeInts(values as Int32Array | Float64Array, start, end, physical.bitWidth);
    default: throw new RangeError(`numeric column cannot be ${physical.kind}`);
  }
}

/** Integers of rows [start, end) at `bitWidth` (values are known to fit). */
export function encodeInts(values: Int32Array | Float64Array, start: number, end: number, bitWidth: 8 | 16 | 32 | 64): Uint8Array {
  const slice = values.subarray(start, end);
  switch (bitWidth) {
    case 8: { const out = new Int8Array(slice.length); out.set(slice); return new Uint8Array(out.buffer); }
    case 16: { const out = new Int16Array(slice.length); out.set(slice); return new Uint8Array(out.buffer); }
    case 32: { const out = new Int32Array(slice.length); out.set(slice); return new Uint8Array(out.buffer); }
    case 64: return encodeInt64(slice);
  }
}

/** int64 little-endian words of exact integers held as float64 (no BigInt per row). */
function encodeInt64(values: Int32Array | Float64Array): Uint8Array {
  const words = new Int32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const high = Math.floor(value / 4_294_967_296);
    words[2 * i] = value - high * 4_294_967_296; // ToInt32 keeps the low 32 bits' pattern
    words[2 * i + 1] = high;
  }
  return new Uint8Array(words.buffer);
}

/** Arrow validity bitmap (1 = valid) of rows [start, end), empty when none is NULL. */
function validityBitmap(nulls: Uint8Array | null, start: number, end: number): { bitmap: Uint8Array; nullCount: number } {
  if (nulls === null) return { bitmap: empty, nullCount: 0 };
  let nullCount = 0;
  for (let i = start; i < end; i++) nullCount += nulls[i];
  if (nullCount === 0) return { bitmap: empty, nullCount: 0 };
  const bitmap = new Uint8Array(Math.ceil((end - start) / 8));
  for (let i = start; i < end; i++) {
    if (nulls[i] === 0) bitmap[(i - start) >> 3] |= 1 << ((i - start) & 7);
  }
  return { bitmap, nullCount };
}

function packBits(values: Uint8Array, start: number, end: number): Uint8Array {
  const bits = new Uint8Array(Math.ceil((end - start) / 8));
  for (let i = start; i < end; i++) {
    if (values[i] !== 0) bits[(i - start) >> 3] |= 1 << ((i - start) & 7);
  }
  return bits;
}

/** Plain Utf8 of rows [start, end): each row's bytes copied from the chunk dictionary's UTF-8. */
export function plainStrings(chunk: StringChunk, strings: Utf8Strings, start: number, end: number): Utf8Strings {
  const codes = chunk.codes;
  const nulls = chunk.nulls;
  if (nulls === null && end > start && codesInOrder(codes, start, end)) return stringsInOrder(strings, codes[start], end - start);
  const offsets = new Int32Array(end - start + 1);
  let total = 0;
  for (let i = start; i < end; i++) {
    if (nulls === null || nulls[i] === 0) total += strings.offsets[codes[i] + 1] - strings.offsets[codes[i]];
    offsets[i - start + 1] = total;
  }
  return { offsets, data: copyRows(codes, nulls, strings, start, end, total) };
}

/** Bytes of a run of consecutive entries above which one native copy beats a byte loop. */
const runCopyBytesMin = 64;

/**
 * The bytes of rows [start, end) end to end (`total` of them). Rows whose codes follow each other
 * form runs whose bytes lie together in the dictionary: mostly distinct text copies in a few
 * large moves, repeated values byte by byte.
 */
function copyRows(codes: Int32Array, nulls: Uint8Array | null, strings: Utf8Strings, start: number, end: number, total: number): Uint8Array {
  const data = new Uint8Array(total);
  const source = strings.data;
  const entryOffsets = strings.offsets;
  let at = 0;
  let runFirst = 0;
  let runEnd = 0;
  for (let i = start; i <= end; i++) {
    const code = i < end ? codes[i] : -1;
    if (i < end && nulls !== null && nulls[i] === 1) continue;
    if (code === runEnd && i < end) {
      runEnd++;
      continue;
    }
    const from = entryOffsets[runFirst];
    const to = entryOffsets[runEnd];
    if (to - from > runCopyBytesMin) data.set(source.subarray(from, to), at);
    else for (let j = from, k = at; j < to; j++, k++) data[k] = source[j];
    at += to - from;
    runFirst = code;
    runEnd = code + 1;
  }
  return data;
}

/** Whether codes[start, end) are consecutive (c, c + 1, …), as in a column of unique text. */
function codesInOrder(codes: Int32Array, start: number, end: number): boolean {
  const first = codes[start] - start;
  for (let i = start + 1; i < end; i++) if (codes[i] - i !== first) return false;
  return true;
}

/** Plain Utf8 of `count` consecutive dictionary entries from `first`: one copy of their bytes, offsets rebased. */
function stringsInOrder(strings: Utf8Strings, first: number, count: number): Utf8Strings {
  const base = strings.offsets[first];
  const offsets = new Int32Array(count + 1);
  for (let i = 1; i <= count; i++) offsets[i] = strings.offsets[first + i] - base;
  return { offsets, data: strings.data.subarray(base, base + offsets[count]) };
}

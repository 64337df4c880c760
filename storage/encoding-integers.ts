/**
 * Integer encodings of a column chunk: frame of reference (value - base, divided by the common
 * multiplier of all values) or delta (difference from the previous row, for sorted and clustered
 * data), then one of three layouts (bytes, bits, split; see encoding-spec.ts). All arithmetic is
 * exact: encodings are only offered when every value and difference is an integer within 2^53.
 */
import { StrataError } from './errors.js';
import { joinBytes, packBits, packedBytes, splitBytes, unpackBits, type UnsignedArray } from './encoding-bit-pack.js';
import { packedBitsMax, splitPlanesMax, type IntegerEncoding } from './encoding-spec.js';

/** Integer values of a chunk as held in memory. */
export type IntegerValues = Int32Array | Float64Array;

/** The frame of a transform over a whole chunk: stored u = (x - base) / multiplier ≤ span. */
export interface IntegerFrame {
  readonly transform: 'for' | 'delta';
  readonly base: number;
  readonly multiplier: number;
  readonly span: number;
  readonly firsts?: readonly number[];
}

const exactMax = Number.MAX_SAFE_INTEGER;

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/** Bits needed for unsigned values up to `span`. */
export function bitsFor(span: number): number {
  let bits = 0;
  while (bits < 64 && 2 ** bits <= span) bits++;
  return bits;
}

/** Frame-of-reference frame of the non-NULL values, or null when they are not all exact integers. */
export function forFrame(values: IntegerValues, nulls: Uint8Array | null): IntegerFrame | null {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const value = values[i];
    if (!(Math.abs(value) <= exactMax) || Math.floor(value) !== value) return null; // also catches NaN
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min === Infinity) return { transform: 'for', base: 0, multiplier: 1, span: 0 };
  if (max - min > exactMax) return null;
  let multiplier = 0;
  for (let i = 0; i < values.length && multiplier !== 1; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const offset = values[i] - min;
    if (multiplier === 0 || offset % multiplier !== 0) multiplier = gcd(offset, multiplier);
  }
  multiplier = Math.max(multiplier, 1);
  return { transform: 'for', base: min, multiplier, span: (max - min) / multiplier };
}

/**
 * Delta frame: within each batch of `batchRows`, the difference from the previous non-NULL value
 * (the batch's first non-NULL value starts at difference 0; NULL rows count as difference 0).
 */
export function deltaFrame(values: IntegerValues, nulls: Uint8Array | null, batchRows: number): IntegerFrame | null {
  const firsts: number[] = [];
  let min = 0;
  let max = 0;
  for (let start = 0; start < values.length; start += batchRows) {
    const end = Math.min(values.length, start + batchRows);
    let previous = firstValue(values, nulls, start, end);
    firsts.push(previous);
    for (let i = start; i < end; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const delta = values[i] - previous;
      previous = values[i];
      if (delta < min) min = delta;
      if (delta > max) max = delta;
    }
  }
  if (!(Math.abs(min) <= exactMax && Math.abs(max) <= exactMax && max - min <= exactMax)) return null;
  let multiplier = -min; // the zero differences (first rows, NULLs) are part of the frame
  for (let start = 0; start < values.length && multiplier !== 1; start += batchRows) {
    const end = Math.min(values.length, start + batchRows);
    let previous = firsts[start / batchRows];
    for (let i = start; i < end && multiplier !== 1; i++) {
      if (nulls !== null && nulls[i] === 1) continue;
      const offset = values[i] - previous - min;
      previous = values[i];
      if (multiplier === 0 || offset % multiplier !== 0) multiplier = gcd(offset, multiplier);
    }
  }
  multiplier = Math.max(multiplier, 1);
  return { transform: 'delta', base: min, multiplier, span: (max - min) / multiplier, firsts };
}

function firstValue(values: IntegerValues, nulls: Uint8Array | null, start: number, end: number): number {
  for (let i = start; i < end; i++) if (nulls === null || nulls[i] === 0) return values[i];
  return 0;
}

/** The layouts worth trying for a frame, as encodings. */
export function layoutsOf(frame: IntegerFrame): IntegerEncoding[] {
  const bits = bitsFor(frame.span);
  const common = { kind: 'integers' as const, transform: frame.transform, base: frame.base, multiplier: frame.multiplier, ...(frame.firsts ? { firsts: frame.firsts } : {}) };
  const bytesWidth = bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
  const encodings: IntegerEncoding[] = [{ ...common, layout: 'bytes', width: bytesWidth }];
  if (bits <= packedBitsMax && bits % 8 !== 0) encodings.push({ ...common, layout: 'bits', width: bits });
  const planes = Math.ceil(bits / 8);
  if (planes >= 2 && planes <= splitPlanesMax) encodings.push({ ...common, layout: 'split', width: planes });
  return encodings;
}

/** Bits of the largest stored value of an encoding (for choosing the in-memory array of u). */
function storedBits(encoding: IntegerEncoding): number {
  return encoding.layout === 'bits' ? encoding.width : 8 * encoding.width;
}

/** Stored values u of rows [start, end) of `values` (batch number `batch`). */
export function toStored(values: IntegerValues, nulls: Uint8Array | null, start: number, end: number, encoding: IntegerEncoding, batch: number): UnsignedArray {
  const count = end - start;
  const out: UnsignedArray = storedBits(encoding) <= 31 ? new Int32Array(count) : new Float64Array(count);
  const { base, multiplier } = encoding;
  if (encoding.transform === 'for') {
    for (let i = 0; i < count; i++) {
      if (nulls !== null && nulls[start + i] === 1) continue;
      out[i] = (values[start + i] - base) / multiplier;
    }
    return out;
  }
  let previous = encoding.firsts![batch];
  const zero = -base / multiplier;
  for (let i = 0; i < count; i++) {
    if (nulls !== null && nulls[start + i] === 1) {
      out[i] = zero;
      continue;
    }
    const value = values[start + i];
    out[i] = (value - previous - base) / multiplier;
    previous = value;
  }
  return out;
}

/** The data buffer of stored values u in the encoding's layout, at least `rows` bytes long. */
export function layOut(stored: UnsignedArray, encoding: IntegerEncoding): Uint8Array {
  const count = stored.length;
  switch (encoding.layout) {
    case 'bits': return packBits(stored as Int32Array, encoding.width, count);
    case 'split': return splitBytes(stored, encoding.width);
    case 'bytes': return bytesOf(stored, encoding.width);
  }
}

function narrowed(out: Uint8Array | Uint16Array | Uint32Array, stored: UnsignedArray): Uint8Array {
  out.set(stored);
  return new Uint8Array(out.buffer);
}

function bytesOf(stored: UnsignedArray, width: number): Uint8Array {
  switch (width) {
    case 1: return narrowed(new Uint8Array(stored.length), stored);
    case 2: return narrowed(new Uint16Array(stored.length), stored);
    case 4: return narrowed(new Uint32Array(stored.length), stored);
    default: {
      const words = new Uint32Array(stored.length * 2);
      for (let i = 0; i < stored.length; i++) {
        const value = stored[i];
        const high = Math.floor(value / 4_294_967_296);
        words[2 * i] = value - high * 4_294_967_296;
        words[2 * i + 1] = high;
      }
      return new Uint8Array(words.buffer);
    }
  }
}

/** Bytes a buffer of `rows` values must hold in an encoding's layout. */
export function layoutBytes(encoding: IntegerEncoding, rows: number): number {
  switch (encoding.layout) {
    case 'bits': return Math.max(rows, packedBytes(rows, encoding.width));
    case 'split': return rows * encoding.width;
    case 'bytes': return rows * encoding.width;
  }
}

function corrupt(where: string, problem: string): StrataError {
  return new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: ${problem}; restore the partition from a backup`);
}

/** Writes the stored values u of `rows` rows from a data buffer into `out` (Int32Array only when u fits 31 bits). */
function readStored(bytes: Uint8Array, encoding: IntegerEncoding, rows: number, out: UnsignedArray): void {
  switch (encoding.layout) {
    case 'bits': return unpackBits(bytes, encoding.width, rows, out);
    case 'split': return joinBytes(bytes, encoding.width, rows, out);
    case 'bytes': return readBytes(bytes, encoding.width, rows, out);
  }
}

function readBytes(bytes: Uint8Array, width: number, rows: number, out: UnsignedArray): void {
  const aligned = bytes.byteOffset % width === 0 ? bytes : bytes.slice(0, rows * width);
  switch (width) {
    case 1: return out.set(aligned.subarray(0, rows));
    case 2: return out.set(new Uint16Array(aligned.buffer, aligned.byteOffset, rows));
    case 4: return out.set(new Uint32Array(aligned.buffer, aligned.byteOffset, rows));
    default: {
      const words = new Uint32Array(aligned.buffer, aligned.byteOffset, rows * 2);
      for (let i = 0; i < rows; i++) out[i] = words[2 * i + 1] * 4_294_967_296 + words[2 * i];
    }
  }
}

/**
 * Decodes `rows` values of batch number `batch` from an encoded data buffer into `target`. The
 * stored values are unpacked straight into `target` and transformed in place (one allocation
 * fewer per column and batch), except when they may not fit an Int32Array target.
 */
export function decodeIntegers(bytes: Uint8Array, encoding: IntegerEncoding, rows: number, batch: number, target: IntegerValues, where: string): void {
  if (bytes.length < layoutBytes(encoding, rows)) {
    throw corrupt(where, `an encoded buffer holds ${bytes.length} bytes, expected ${layoutBytes(encoding, rows)}`);
  }
  const staged = target instanceof Float64Array || storedBits(encoding) <= 31 ? target : new Float64Array(rows);
  readStored(bytes, encoding, rows, staged);
  const { base, multiplier } = encoding;
  if (encoding.transform === 'for') {
    if (staged === target && base === 0 && multiplier === 1) return;
    for (let i = 0; i < rows; i++) target[i] = base + staged[i] * multiplier;
    return;
  }
  const first = encoding.firsts?.[batch];
  if (first === undefined) throw corrupt(where, `the delta encoding has no first value for batch ${batch}`);
  let value = first;
  for (let i = 0; i < rows; i++) {
    value += base + staged[i] * multiplier;
    target[i] = value;
  }
}

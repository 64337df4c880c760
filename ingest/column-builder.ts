/**
 * Column builders: growable typed arrays in the in-memory units of storage/vector.ts that
 * conversion writes into by row index, finished into Vectors when a batch is full.
 */
import {
  allocateValues, numericVector, stringVector,
  type DataType, type NumericArray, type NumericVector, type StringVector,
} from '../storage/index.js';
import { ByteDictionary, hashBytes } from './byte-dictionary.js';

/** Rows a builder holds room for at first; it doubles as needed (small files stay small). */
const rowsInitial = 1024;
/**
 * Rows a string column sees before it judges whether de-duplicating is worth it, and the
 * distinct share above which it stops: a column of mostly unique values (comments, ids) only
 * pays for hashing and is decoded row by row instead.
 */
const dedupeSampleRows = 4096;
const dedupeDistinctShareMax = 0.5;
/** Key bytes a column de-duplicates before it gives up (bounds the hash table's memory). */
const dedupeArenaBytesMax = 16 * 1024 * 1024;

/** Decodes UTF-8 bytes; Buffer's native slice is the fastest way Node offers for short strings. */
export function decodeUtf8(data: Buffer, start: number, end: number): string {
  return (data as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice(start, end);
}

/** Grows a typed array to `length`, keeping its contents. */
function grown<T extends NumericArray | Int32Array | Uint8Array>(array: T, length: number, make: (n: number) => T): T {
  const resized = make(length);
  (resized as Uint8Array).set(array as Uint8Array);
  return resized;
}

/** Capacity at least `rows`, doubling from `current`. */
function nextCapacity(current: number, rows: number): number {
  let capacity = Math.max(current, rowsInitial);
  while (capacity < rows) capacity *= 2;
  return capacity;
}

/** Moves the rows of [base, base + count) whose flag is 0 to the front of that range. */
function compactRange(array: NumericArray | Int32Array | Uint8Array, base: number, rejected: Uint8Array, count: number): void {
  let write = base;
  for (let i = 0; i < count; i++) {
    if (rejected[i] === 0) array[write++] = array[base + i];
  }
}

/** Builds a numeric vector (booleans, integers, doubles, decimals, dates, timestamps). */
export class NumericColumnBuilder {
  readonly kind = 'numeric';
  values: NumericArray;
  nulls: Uint8Array | null = null;

  constructor(readonly type: DataType) {
    this.values = allocateValues(type, rowsInitial);
  }

  /** Makes room for `rows` rows in total. */
  reserve(rows: number): void {
    if (rows <= this.values.length) return;
    const capacity = nextCapacity(this.values.length, rows);
    this.values = grown(this.values, capacity, (n) => allocateValues(this.type, n));
    if (this.nulls !== null) this.nulls = grown(this.nulls, capacity, (n) => new Uint8Array(n));
  }

  /** Marks row i NULL (its value reads 0). */
  setNull(i: number): void {
    this.nulls ??= new Uint8Array(this.values.length);
    this.nulls[i] = 1;
    this.values[i] = 0;
  }

  /** Drops rejected rows from [base, base + count). */
  compact(base: number, rejected: Uint8Array, count: number): void {
    compactRange(this.values, base, rejected, count);
    if (this.nulls !== null) clearTail(this.nulls, base, rejected, count);
  }

  /** The first `length` rows as a vector. */
  finish(length: number): NumericVector {
    const values = length === this.values.length ? this.values : this.values.slice(0, length);
    const nulls = this.nulls === null ? null : this.nulls.slice(0, length);
    return numericVector(this.type, values, nulls);
  }
}

/** Compacts a NULL map and zeroes the freed tail so later rows start non-NULL. */
function clearTail(nulls: Uint8Array, base: number, rejected: Uint8Array, count: number): void {
  let kept = 0;
  for (let i = 0; i < count; i++) if (rejected[i] === 0) kept++;
  compactRange(nulls, base, rejected, count);
  nulls.fill(0, base + kept, base + count);
}

/** Builds a string vector, de-duplicating values while that pays. */
export class StringColumnBuilder {
  readonly kind = 'string';
  codes: Int32Array = new Int32Array(rowsInitial);
  nulls: Uint8Array | null = null;
  readonly dictionary: string[] = [];
  private byteIndex: ByteDictionary | null = new ByteDictionary();
  private stringIndex: Map<string, number> | null = new Map();
  private appended = 0;
  private compacted = false;

  constructor(readonly type: DataType) {}

  /** Makes room for `rows` rows in total. */
  reserve(rows: number): void {
    if (rows <= this.codes.length) return;
    const capacity = nextCapacity(this.codes.length, rows);
    this.codes = grown(this.codes, capacity, (n) => new Int32Array(n));
    if (this.nulls !== null) this.nulls = grown(this.nulls, capacity, (n) => new Uint8Array(n));
  }

  /** Sets row i to the UTF-8 text data[start, end). */
  setBytes(i: number, data: Buffer, start: number, end: number): void {
    this.appended++;
    const index = this.byteIndex;
    if (index === null) {
      this.codes[i] = this.dictionary.push(decodeUtf8(data, start, end)) - 1;
      return;
    }
    const hash = hashBytes(data, start, end);
    let code = index.find(data, start, end, hash);
    if (code < 0) {
      code = this.dictionary.push(decodeUtf8(data, start, end)) - 1;
      index.insert(data, start, end, hash, code);
      this.judgeDedupe(index.arenaLength);
    }
    this.codes[i] = code;
  }

  /** Sets row i to `value`. */
  setString(i: number, value: string): void {
    this.appended++;
    const index = this.stringIndex;
    if (index === null) {
      this.codes[i] = this.dictionary.push(value) - 1;
      return;
    }
    let code = index.get(value);
    if (code === undefined) {
      code = this.dictionary.push(value) - 1;
      index.set(value, code);
      this.judgeDedupe(0);
    }
    this.codes[i] = code;
  }

  /** Marks row i NULL. */
  setNull(i: number): void {
    this.nulls ??= new Uint8Array(this.codes.length);
    this.nulls[i] = 1;
    this.codes[i] = 0;
  }

  /** Drops rejected rows from [base, base + count). */
  compact(base: number, rejected: Uint8Array, count: number): void {
    compactRange(this.codes, base, rejected, count);
    if (this.nulls !== null) clearTail(this.nulls, base, rejected, count);
    this.compacted = true;
  }

  /** The first `length` rows as a vector whose dictionary holds only values in use. */
  finish(length: number): StringVector {
    const codes = length === this.codes.length ? this.codes : this.codes.slice(0, length);
    const nulls = this.nulls === null ? null : this.nulls.slice(0, length);
    const dictionary = this.compacted ? pruneDictionary(codes, nulls, this.dictionary) : this.dictionary;
    return stringVector(this.type, codes, dictionary, nulls);
  }

  /** Stops de-duplicating once the column shows mostly distinct values. */
  private judgeDedupe(arenaBytes: number): void {
    const distinct = this.dictionary.length;
    if (arenaBytes > dedupeArenaBytesMax || (this.appended >= dedupeSampleRows && distinct > this.appended * dedupeDistinctShareMax)) {
      this.byteIndex = null;
      this.stringIndex = null;
    }
  }
}

/** Rewrites codes to a dictionary without the entries only rejected rows used. */
function pruneDictionary(codes: Int32Array, nulls: Uint8Array | null, dictionary: readonly string[]): string[] {
  const remap = new Int32Array(dictionary.length).fill(-1);
  const pruned: string[] = [];
  for (let i = 0; i < codes.length; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const code = codes[i];
    if (remap[code] < 0) remap[code] = pruned.push(dictionary[code]) - 1;
    codes[i] = remap[code];
  }
  return pruned;
}

/** A builder for one column of either representation. */
export type ColumnBuilder = NumericColumnBuilder | StringColumnBuilder;

/** A builder for a column of `type`. */
export function columnBuilder(type: DataType): ColumnBuilder {
  return type.id === 'string' ? new StringColumnBuilder(type) : new NumericColumnBuilder(type);
}

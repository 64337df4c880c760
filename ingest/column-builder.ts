/**
 * Column builders: growable typed arrays in the in-memory units of storage/vector.ts that
 * conversion writes into by row index, finished into Vectors when a batch is full.
 */
import {
  allocateValues, numericVector, utf8StringVector,
  type DataType, type NumericArray, type NumericVector, type StringVector, type Utf8Dictionary,
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

  /** `rows`: room to start with (a batch's worth once batches are known to fill). */
  constructor(readonly type: DataType, rows = rowsInitial) {
    this.values = allocateValues(type, rows);
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

/** Longest value copied byte by byte; longer ones take one native copy. */
const textCopyLoopBytesMax = 64;
/** Bytes of UTF-8 text a string builder holds room for at first; it doubles as needed. */
const textBytesInitial = 16_384;

/**
 * Builds a string vector as UTF-8 (a dictionary of byte strings plus codes), de-duplicating
 * values by their bytes while that pays. No JS string is made: the partition writer copies the
 * bytes, and anything else that reads the vector's dictionary decodes it then.
 */
export class StringColumnBuilder {
  readonly kind = 'string';
  codes: Int32Array;
  nulls: Uint8Array | null = null;
  /** UTF-8 of the dictionary entries end to end; entry e is text[entryOffsets[e], entryOffsets[e + 1]). */
  private text: Buffer;
  private textLength = 0;
  private entryOffsets: Int32Array;
  private entries = 0;
  private byteIndex: ByteDictionary | null = new ByteDictionary();
  /** Code of each one-byte value seen while de-duplicating, -1 when not seen. */
  private readonly oneByteCodes = new Int32Array(256).fill(-1);
  private appended = 0;
  private compacted = false;

  /**
   * `rows` and `textBytes`: room to start with (what the previous batch needed, once batches
   * fill); `dedupe` false when the previous batch found the column mostly distinct, so unique
   * text is not hashed again and its codes run 0, 1, 2, … (the writer then copies it whole).
   */
  constructor(readonly type: DataType, rows = rowsInitial, textBytes = textBytesInitial, dedupe = true) {
    this.codes = new Int32Array(rows);
    if (!dedupe) this.byteIndex = null;
    this.text = Buffer.allocUnsafe(Math.max(textBytes, textBytesInitial));
    this.entryOffsets = new Int32Array(rowsInitial + 1);
  }

  /** Whether values are still de-duplicated (false once the column showed mostly distinct values). */
  get deduplicating(): boolean {
    return this.byteIndex !== null;
  }

  /** Bytes of text held, a size hint for the next batch's builder. */
  get textBytes(): number {
    return this.textLength;
  }

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
    if (index !== null) {
      // One-byte values (flags, status letters) skip hashing: a table holds their codes.
      if (end - start === 1 && this.oneByteCodes[data[start]] >= 0) {
        this.codes[i] = this.oneByteCodes[data[start]];
        return;
      }
      const hash = hashBytes(data, start, end);
      const code = index.find(data, start, end, hash);
      if (code >= 0) {
        this.codes[i] = code;
        return;
      }
      index.insert(data, start, end, hash, this.entries);
      if (end - start === 1) this.oneByteCodes[data[start]] = this.entries;
    }
    this.growText(end - start);
    const text = this.text;
    let at = this.textLength;
    // Buffer.copy costs more than a byte loop for values this short (most fields).
    if (end - start > textCopyLoopBytesMax) text.set(data.subarray(start, end), at);
    else for (let k = start; k < end; k++) text[at++] = data[k];
    this.codes[i] = this.addEntry(this.textLength + end - start);
    if (index !== null) this.judgeDedupe(index.arenaLength);
  }

  /** Sets row i to `value`. */
  setString(i: number, value: string): void {
    // Encoded at the end of the text first, then treated like bytes read from the file.
    this.growText(value.length * 3);
    const at = this.textLength;
    const written = this.text.write(value, at, 'utf8');
    // The room reserved above holds the bytes, so setBytes copies them onto themselves.
    this.setBytes(i, this.text, at, at + written);
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
    // The builder is dropped after finish, so the vector may keep views of its buffers.
    const utf8: Utf8Dictionary = { offsets: this.entryOffsets.subarray(0, this.entries + 1), data: this.text.subarray(0, this.textLength) };
    return utf8StringVector(this.type, codes, this.compacted ? pruneDictionary(codes, nulls, utf8) : utf8, nulls);
  }

  /** Records an entry whose text ends at `end` and returns its code. */
  private addEntry(end: number): number {
    if (this.entries + 2 > this.entryOffsets.length) this.entryOffsets = grown(this.entryOffsets, this.entryOffsets.length * 2, (n) => new Int32Array(n));
    this.textLength = end;
    this.entryOffsets[this.entries + 1] = end;
    return this.entries++;
  }

  /** Makes room for `bytes` more bytes of text. */
  private growText(bytes: number): void {
    const needed = this.textLength + bytes;
    if (needed <= this.text.length) return;
    let capacity = this.text.length * 2;
    while (capacity < needed) capacity *= 2;
    const text = Buffer.allocUnsafe(capacity);
    this.text.copy(text, 0, 0, this.textLength);
    this.text = text;
  }

  /** Stops de-duplicating once the column shows mostly distinct values. */
  private judgeDedupe(arenaBytes: number): void {
    const distinct = this.entries;
    if (arenaBytes > dedupeArenaBytesMax || (this.appended >= dedupeSampleRows && distinct > this.appended * dedupeDistinctShareMax)) {
      this.byteIndex = null;
    }
  }
}

/** Rewrites codes to a dictionary without the entries only rejected rows used. */
function pruneDictionary(codes: Int32Array, nulls: Uint8Array | null, utf8: Utf8Dictionary): Utf8Dictionary {
  const entries = utf8.offsets.length - 1;
  const remap = new Int32Array(entries).fill(-1);
  const offsets = new Int32Array(entries + 1);
  const data = new Uint8Array(utf8.data.length);
  let kept = 0;
  for (let i = 0; i < codes.length; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const code = codes[i];
    if (remap[code] < 0) {
      const from = utf8.offsets[code];
      const to = utf8.offsets[code + 1];
      data.set(utf8.data.subarray(from, to), offsets[kept]);
      offsets[kept + 1] = offsets[kept] + to - from;
      remap[code] = kept++;
    }
    codes[i] = remap[code];
  }
  return { offsets: offsets.slice(0, kept + 1), data: data.slice(0, offsets[kept]) };
}

/** A builder for one column of either representation. */
export type ColumnBuilder = NumericColumnBuilder | StringColumnBuilder;

/** A builder for a column of `type` with room for `rows` rows (strings: `textBytes` bytes of text, de-duplicating or not). */
export function columnBuilder(type: DataType, rows = rowsInitial, textBytes = textBytesInitial, dedupe = true): ColumnBuilder {
  return type.id === 'string' ? new StringColumnBuilder(type, rows, textBytes, dedupe) : new NumericColumnBuilder(type, rows);
}

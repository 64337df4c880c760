/**
 * Gathers one column of the batches handed to the partition writer into a single chunk: the
 * values of every batch end to end, and for strings one dictionary of the distinct values that
 * non-NULL rows use (so stats and the dictionary-or-plain choice see the whole partition).
 */
import { assert, StrataError } from './errors.js';
import { dictionaryEntriesMax } from './partition-format.js';
import type { Field } from './types.js';
import { allocateValues, decodeUtf8Dictionary, type Batch, type NumericArray, type StringVector, type Utf8Dictionary } from './vector.js';

/** A numeric column of the whole partition. */
export interface NumericChunk {
  readonly kind: 'numeric';
  readonly values: NumericArray;
  readonly nulls: Uint8Array | null;
  readonly nullCount: number;
}

/**
 * A string column of the whole partition: codes into a dictionary of the values non-NULL rows
 * use. Entries are distinct while there are at most distinctTrackedMax of them; past that the
 * column cannot be dictionary-encoded anyway, so later values are appended without hashing and
 * may repeat (hashing every value of a million-row text column costs more than writing it).
 */
export interface StringChunk {
  readonly kind: 'string';
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
  readonly nulls: Uint8Array | null;
  readonly nullCount: number;
  /**
   * The dictionary as UTF-8, when every batch carried its strings as bytes (vector.ts utf8):
   * the writer copies these bytes and `dictionary` is decoded only if something reads it.
   */
  readonly utf8?: Utf8Dictionary;
}

/** A column of the whole partition. */
export type ColumnChunk = NumericChunk | StringChunk;

/** Column `column` (described by `field`) of all `batches`, which hold `rows` rows in total. */
export function gatherColumn(batches: readonly Batch[], column: number, field: Field, rows: number): ColumnChunk {
  const nulls = gatherNulls(batches, column, rows);
  const nullCount = countNulls(nulls);
  return field.type.id === 'string'
    ? gatherStrings(batches, column, field, rows, nulls, nullCount)
    : gatherNumbers(batches, column, field, rows, nulls, nullCount);
}

function gatherNulls(batches: readonly Batch[], column: number, rows: number): Uint8Array | null {
  if (batches.every((batch) => batch.columns[column].nulls === null)) return null;
  const nulls = new Uint8Array(rows);
  let offset = 0;
  for (const batch of batches) {
    const vectorNulls = batch.columns[column].nulls;
    if (vectorNulls !== null) nulls.set(vectorNulls.subarray(0, batch.length), offset);
    offset += batch.length;
  }
  return nulls;
}

function countNulls(nulls: Uint8Array | null): number {
  if (nulls === null) return 0;
  let count = 0;
  for (let i = 0; i < nulls.length; i++) count += nulls[i] === 1 ? 1 : 0;
  return count;
}

function gatherNumbers(batches: readonly Batch[], column: number, field: Field, rows: number, nulls: Uint8Array | null, nullCount: number): NumericChunk {
  assert(field.type.id !== 'interval', `column '${field.name}': INTERVAL values cannot be stored`);
  const values = allocateValues(field.type, rows);
  let offset = 0;
  for (const batch of batches) {
    const vector = batch.columns[column];
    assert(vector.kind === 'numeric' && vector.values.constructor === values.constructor,
      `column '${field.name}' of type ${field.type.id} must be a numeric vector over ${values.constructor.name}`);
    (values as Float64Array).set(vector.values.subarray(0, batch.length) as Float64Array, offset);
    offset += batch.length;
  }
  return { kind: 'numeric', values, nulls, nullCount };
}

/** Distinct values a string chunk tracks: one more than any dictionary may hold proves a column is not one. */
export const distinctTrackedMax = dictionaryEntriesMax + 1;

function gatherStrings(batches: readonly Batch[], column: number, field: Field, rows: number, nulls: Uint8Array | null, nullCount: number): StringChunk {
  for (const batch of batches) assert(batch.columns[column].kind === 'string', `column '${field.name}' of type string must be a string vector`);
  if (batches.every((batch) => (batch.columns[column] as StringVector).utf8 !== undefined)) return gatherUtf8(batches, column, rows, nulls, nullCount);
  const codes = new Int32Array(rows);
  const dictionary: string[] = [];
  let index: Map<string, number> | null = new Map<string, number>();
  let offset = 0;
  for (const batch of batches) {
    const vector = batch.columns[column];
    assert(vector.kind === 'string', `column '${field.name}' of type string must be a string vector`);
    remapCodes(vector, batch.length, codes, offset, dictionary, index);
    if (index !== null && index.size >= distinctTrackedMax) index = null;
    offset += batch.length;
  }
  return { kind: 'string', codes, dictionary, nulls, nullCount };
}

/**
 * Writes the global codes of `vector`'s rows into `codes` at `offset`, growing the dictionary;
 * without an index (too many distinct values) every newly seen local entry is appended.
 */
function remapCodes(vector: StringVector, length: number, codes: Int32Array, offset: number, dictionary: string[], index: Map<string, number> | null): void {
  // Local dictionary entry → global code, -1 until first used by a non-NULL row.
  const localToGlobal = new Int32Array(vector.dictionary.length).fill(-1);
  const vectorNulls = vector.nulls;
  const vectorCodes = vector.codes;
  for (let i = 0; i < length; i++) {
    if (vectorNulls !== null && vectorNulls[i] === 1) continue;
    const local = vectorCodes[i];
    let global = localToGlobal[local];
    // An out-of-range code reads undefined, which fails `>= 0` and is caught by the assert below.
    if (!(global >= 0)) {
      const value = vector.dictionary[local];
      // The message is built only on failure: this runs once per distinct value (millions for unique text).
      if (typeof value !== 'string') assert(false, `string code ${local} has no dictionary entry`);
      global = index?.get(value) ?? -1;
      if (global < 0) {
        global = dictionary.length;
        dictionary.push(value);
        if (index !== null && index.size < distinctTrackedMax) index.set(value, global);
      }
      localToGlobal[local] = global;
    }
    codes[offset + i] = global;
  }
}

/** Longest value copied byte by byte rather than through a subarray and one native copy. */
const copyLoopBytesMax = 256;
/** Slots a new byte index starts with; it doubles at half load. */
const utf8IndexSlotsInitial = 1024;

/**
 * The gathered dictionary of a string column held as UTF-8, with an open-addressing hash index
 * over its entries' bytes while there are fewer than distinctTrackedMax of them.
 */
class Utf8Gather {
  data: Uint8Array;
  length = 0;
  offsets: Int32Array;
  entries = 0;
  private slots: Int32Array | null = new Int32Array(utf8IndexSlotsInitial).fill(-1);
  private hashes: Int32Array = new Int32Array(utf8IndexSlotsInitial / 2);

  /**
   * `bytesMax` and `entriesMax`: the batches' dictionary bytes and entries in total, which the
   * gathered dictionary never exceeds (sized once, no growing copies).
   */
  constructor(bytesMax: number, entriesMax: number) {
    if (bytesMax >= 2 ** 31) throw new StrataError('resources', 'PARTITION_TOO_LARGE', 'a string column holds 2 GiB or more in one partition; load smaller partitions');
    this.data = new Uint8Array(bytesMax);
    this.offsets = new Int32Array(entriesMax + 1);
  }

  /** Appends every entry of `utf8` (no look-up). */
  appendDictionary(utf8: Utf8Dictionary): void {
    const entries = utf8.offsets.length - 1;
    const first = utf8.offsets[0];
    const bytes = utf8.offsets[entries] - first;
    this.data.set(utf8.data.subarray(first, first + bytes), this.length);
    const shift = this.length - first;
    const offsets = this.offsets;
    const base = this.entries;
    for (let i = 1; i <= entries; i++) offsets[base + i] = utf8.offsets[i] + shift;
    this.length += bytes;
    this.entries += entries;
  }

  /** The code of source[start, end), added when new. */
  codeOf(source: Uint8Array, start: number, end: number): number {
    const slots = this.slots;
    if (slots === null) return this.add(source, start, end);
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ source[i], 0x01000193);
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (let entry = slots[slot]; entry >= 0; slot = (slot + 1) & mask, entry = slots[slot]) {
      if (this.hashes[entry] === hash && this.equals(entry, source, start, end)) return entry;
    }
    const code = this.add(source, start, end);
    if (this.entries >= distinctTrackedMax) {
      this.slots = null;
      return code;
    }
    // The table doubles before the new entry goes in, so its hash has room and it is placed once.
    if (this.entries * 2 > slots.length) this.growSlots(code);
    this.hashes[code] = hash;
    this.place(code, hash);
    return code;
  }

  /** Appends source[start, end) as a new entry (no look-up) and returns its code. */
  add(source: Uint8Array, start: number, end: number): number {
    const bytes = end - start;
    const data = this.data;
    let at = this.length;
    // A subarray costs more than copying a short value byte by byte.
    if (bytes > copyLoopBytesMax) data.set(source.subarray(start, end), at);
    else for (let i = start; i < end; i++) data[at++] = source[i];
    this.length += bytes;
    this.offsets[this.entries + 1] = this.length;
    return this.entries++;
  }

  /** Whether the index still looks values up (false past distinctTrackedMax entries). */
  get indexed(): boolean {
    return this.slots !== null;
  }

  private equals(entry: number, source: Uint8Array, start: number, end: number): boolean {
    const from = this.offsets[entry];
    if (this.offsets[entry + 1] - from !== end - start) return false;
    const data = this.data;
    for (let i = start, j = from; i < end; i++, j++) if (data[j] !== source[i]) return false;
    return true;
  }

  /** Doubles the table, placing the first `count` entries again. */
  private growSlots(count: number): void {
    const size = this.slots!.length * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = grownInts(this.hashes, size / 2);
    for (let entry = 0; entry < count; entry++) this.place(entry, this.hashes[entry]);
  }

  private place(entry: number, hash: number): void {
    const slots = this.slots!;
    const mask = slots.length - 1;
    let slot = hash & mask;
    while (slots[slot] >= 0) slot = (slot + 1) & mask;
    slots[slot] = entry;
  }
}

function grownInts(array: Int32Array, needed: number): Int32Array {
  let size = array.length * 2;
  while (size < needed) size *= 2;
  const grown = new Int32Array(size);
  grown.set(array);
  return grown;
}

/** A string chunk built from UTF-8 vectors: bytes are copied, never decoded. */
function gatherUtf8(batches: readonly Batch[], column: number, rows: number, nulls: Uint8Array | null, nullCount: number): StringChunk {
  const codes = new Int32Array(rows);
  let bytesMax = 0;
  let entriesMax = 0;
  for (const batch of batches) {
    const utf8 = (batch.columns[column] as StringVector).utf8!;
    entriesMax += utf8.offsets.length - 1;
    bytesMax += utf8.offsets[utf8.offsets.length - 1] - utf8.offsets[0];
  }
  const gather = new Utf8Gather(bytesMax, entriesMax);
  let offset = 0;
  for (const batch of batches) {
    const vector = batch.columns[column] as StringVector;
    if (!gather.indexed && appendAllEntries(vector, batch.length, gather, codes, offset)) {
      offset += batch.length;
      continue;
    }
    remapUtf8(vector, batch.length, gather, codes, offset);
    offset += batch.length;
  }
  const utf8: Utf8Dictionary = { offsets: gather.offsets.slice(0, gather.entries + 1), data: gather.data.subarray(0, gather.length) };
  let dictionary: string[] | null = null;
  return {
    kind: 'string', codes, nulls, nullCount, utf8,
    get dictionary(): readonly string[] {
      dictionary ??= decodeUtf8Dictionary(utf8);
      return dictionary;
    },
  };
}

/**
 * Appends every entry of a vector's dictionary in one copy and maps its rows to them, when every
 * entry is used by a non-NULL row (as ingest builds vectors); false otherwise. Past the
 * distinct-tracking limit nothing is looked up, so mostly distinct columns (comments, ids)
 * take this path.
 */
function appendAllEntries(vector: StringVector, length: number, gather: Utf8Gather, codes: Int32Array, offset: number): boolean {
  const utf8 = vector.utf8!;
  const entries = utf8.offsets.length - 1;
  const vectorCodes = vector.codes;
  const vectorNulls = vector.nulls;
  const used = new Uint8Array(entries);
  let usedCount = 0;
  for (let i = 0; i < length; i++) {
    if (vectorNulls !== null && vectorNulls[i] === 1) continue;
    const local = vectorCodes[i];
    if (!(local >= 0 && local < entries)) assert(false, `string code ${local} has no dictionary entry`);
    if (used[local] === 0) {
      used[local] = 1;
      usedCount++;
    }
  }
  if (usedCount !== entries) return false;
  const base = gather.entries;
  gather.appendDictionary(utf8);
  for (let i = 0; i < length; i++) codes[offset + i] = vectorNulls !== null && vectorNulls[i] === 1 ? 0 : base + vectorCodes[i];
  return true;
}

/** Writes the gathered codes of a UTF-8 vector's rows into `codes` at `offset`. */
function remapUtf8(vector: StringVector, length: number, gather: Utf8Gather, codes: Int32Array, offset: number): void {
  const { offsets, data } = vector.utf8!;
  const localToGlobal = new Int32Array(offsets.length - 1).fill(-1);
  const vectorNulls = vector.nulls;
  const vectorCodes = vector.codes;
  for (let i = 0; i < length; i++) {
    if (vectorNulls !== null && vectorNulls[i] === 1) continue;
    const local = vectorCodes[i];
    let global = localToGlobal[local];
    if (!(global >= 0)) {
      if (!(local >= 0 && local < localToGlobal.length)) assert(false, `string code ${local} has no dictionary entry`);
      global = gather.codeOf(data, offsets[local], offsets[local + 1]);
      localToGlobal[local] = global;
    }
    codes[offset + i] = global;
  }
}

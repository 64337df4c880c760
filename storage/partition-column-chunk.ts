/**
 * Gathers one column of the batches handed to the partition writer into a single chunk: the
 * values of every batch end to end, and for strings one dictionary of the distinct values that
 * non-NULL rows use (so stats and the dictionary-or-plain choice see the whole partition).
 */
import { assert } from './errors.js';
import { dictionaryEntriesMax } from './partition-format.js';
import type { Field } from './types.js';
import { allocateValues, type Batch, type NumericArray, type StringVector } from './vector.js';

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

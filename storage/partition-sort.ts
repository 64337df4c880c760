/**
 * Sorting a partition's rows by a sort key before it is written (compaction re-sorts merged
 * partitions so min/max and zone maps prune well and deltas stay small). Works on whole gathered
 * columns: one permutation, then every column gathered through it.
 */
import type { ColumnChunk } from './partition-column-chunk.js';
import type { Batch, Vector } from './vector.js';
import { numericVector, stringVector } from './vector.js';
import type { Field } from './types.js';

/** Rank of every dictionary entry in code unit order, so string keys compare as integers. */
function dictionaryRanks(dictionary: readonly string[]): Int32Array {
  const order = Array.from({ length: dictionary.length }, (_, i) => i);
  order.sort((a, b) => (dictionary[a] < dictionary[b] ? -1 : dictionary[a] > dictionary[b] ? 1 : 0));
  const ranks = new Int32Array(dictionary.length);
  let rank = 0;
  for (let i = 0; i < order.length; i++) {
    if (i > 0 && dictionary[order[i]] !== dictionary[order[i - 1]]) rank++;
    ranks[order[i]] = rank;
  }
  return ranks;
}

/** Sort keys of a chunk as numbers per row: values, or ranks of strings; NULL rows sort last. */
function keyOf(chunk: ColumnChunk): { keys: ArrayLike<number>; nulls: Uint8Array | null } {
  if (chunk.kind === 'numeric') return { keys: chunk.values as ArrayLike<number>, nulls: chunk.nulls };
  const ranks = dictionaryRanks(chunk.dictionary);
  const keys = new Int32Array(chunk.codes.length);
  for (let i = 0; i < keys.length; i++) keys[i] = ranks[chunk.codes[i]] ?? 0;
  return { keys, nulls: chunk.nulls };
}

/** The row order that sorts `chunks` by the key columns `keyColumns` (ascending, NULLs last, NaN above numbers, stable). */
export function sortPermutation(chunks: readonly ColumnChunk[], keyColumns: readonly number[], rows: number): Int32Array {
  const keys = keyColumns.map((column) => keyOf(chunks[column]));
  const order = Array.from({ length: rows }, (_, i) => i);
  order.sort((a, b) => {
    for (const { keys: values, nulls } of keys) {
      const aNull = nulls !== null && nulls[a] === 1;
      const bNull = nulls !== null && nulls[b] === 1;
      if (aNull !== bNull) return aNull ? 1 : -1;
      if (aNull) continue;
      const x = values[a];
      const y = values[b];
      if (x < y) return -1;
      if (x > y) return 1;
      if (x !== x || y !== y) return x !== x ? (y !== y ? 0 : 1) : -1; // NaN sorts above every number
    }
    return a - b;
  });
  return Int32Array.from(order);
}

/** The rows of `chunks` (columns of `fields`) in `order`, as one batch. */
export function permutedBatch(chunks: readonly ColumnChunk[], fields: readonly Field[], order: Int32Array): Batch {
  const columns = chunks.map((chunk, column): Vector => {
    const nulls = chunk.nulls === null ? null : new Uint8Array(order.length);
    if (nulls !== null) for (let i = 0; i < order.length; i++) nulls[i] = chunk.nulls![order[i]];
    if (chunk.kind === 'string') {
      const codes = new Int32Array(order.length);
      for (let i = 0; i < order.length; i++) codes[i] = chunk.codes[order[i]];
      return stringVector(fields[column].type, codes, chunk.dictionary, nulls);
    }
    const source = chunk.values as Int32Array | Float64Array | Uint8Array;
    const values = new (source.constructor as Int32ArrayConstructor)(order.length);
    for (let i = 0; i < order.length; i++) values[i] = source[order[i]];
    return numericVector(fields[column].type, values, nulls);
  });
  return { length: order.length, columns };
}

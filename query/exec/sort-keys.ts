/**
 * Sorting rows by ORDER BY keys: each key column becomes numbers (strings become the rank of
 * their dictionary entry, so comparisons are integer comparisons), then an index array is sorted
 * with a comparator that walks the keys and breaks ties by row position (stable).
 */
import type { Batch, Vector } from '../../storage/index.js';
import type { SortKey } from '../plan/index.js';
import { compareText } from './comparison.js';
import { evaluateExpr } from './evaluate-expr.js';

/** One key column prepared for comparison. */
export interface PreparedKey {
  readonly values: ArrayLike<number>;
  readonly nulls: Uint8Array | null;
  /** 1 ascending, -1 descending. */
  readonly direction: number;
  /** Result of comparing NULL with a value (-1: NULL first). */
  readonly nullOrder: number;
}

/** Rank of each dictionary entry in string order (equal strings share a rank). */
function dictionaryRanks(dictionary: readonly string[]): Int32Array {
  const order = Array.from({ length: dictionary.length }, (_, i) => i);
  order.sort((a, b) => compareText(dictionary[a], dictionary[b]));
  const ranks = new Int32Array(dictionary.length);
  let rank = 0;
  for (let k = 0; k < order.length; k++) {
    if (k > 0 && dictionary[order[k]] !== dictionary[order[k - 1]]) rank++;
    ranks[order[k]] = rank;
  }
  return ranks;
}

function keyValues(vector: Vector): ArrayLike<number> {
  if (vector.kind === 'string') {
    const ranks = dictionaryRanks(vector.dictionary);
    const values = new Int32Array(vector.length);
    for (let i = 0; i < vector.length; i++) values[i] = ranks[vector.codes[i]] ?? 0;
    return values;
  }
  const source = vector.values;
  if (source instanceof BigInt64Array) return Float64Array.from(source, (v) => Number(v));
  return source as ArrayLike<number>;
}

/** Evaluates the keys over a batch and prepares them for comparison. */
export function prepareSortKeys(keys: readonly SortKey[], batch: Batch): PreparedKey[] {
  return keys.map((key) => {
    const vector = evaluateExpr(key.expr, batch);
    return { values: keyValues(vector), nulls: vector.nulls, direction: key.ascending ? 1 : -1, nullOrder: key.nullsFirst ? -1 : 1 };
  });
}

/** -1, 0, 1: order of rows a and b under the keys (NaN above all numbers, as in DuckDB). */
export function compareRows(keys: readonly PreparedKey[], a: number, b: number): number {
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const nulls = key.nulls;
    if (nulls !== null) {
      const na = nulls[a];
      const nb = nulls[b];
      if (na === 1 || nb === 1) {
        if (na === nb) continue;
        return na === 1 ? key.nullOrder : -key.nullOrder;
      }
    }
    const x = key.values[a];
    const y = key.values[b];
    if (x < y) return -key.direction;
    if (x > y) return key.direction;
    if (x !== y) {
      // At least one NaN: NaN sorts after every number.
      if (x !== x && y !== y) continue;
      return (x !== x ? 1 : -1) * key.direction;
    }
  }
  return 0;
}

/** Row positions 0 … n-1 in key order (ties keep input order). */
export function sortedIndices(keys: readonly PreparedKey[], n: number): Int32Array {
  const packed = packedOrder(keys, n);
  if (packed !== null) return packed;
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return indices.sort((a, b) => compareRows(keys, a, b) || a - b);
}

/** Integer rank of each row under one key (NULLs and direction applied) and how many ranks there are. */
function ranksOf(key: PreparedKey, n: number): { ranks: Float64Array; domain: number } | null {
  const values = key.values;
  const nulls = key.nulls;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) { min = 0; max = 0; }
  const span = max - min + 1;
  if (!Number.isSafeInteger(span) || span > packedDomainMax) return null;
  const nullRank = key.nullOrder < 0 ? 0 : span;
  const offset = key.nullOrder < 0 ? 1 : 0;
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) { ranks[i] = nullRank; continue; }
    const v = values[i];
    // Fractions (and NaN) cannot be ranked by subtraction: compare instead.
    if (!Number.isInteger(v)) return null;
    ranks[i] = (key.direction > 0 ? v - min : max - v) + offset;
  }
  return { ranks, domain: span + 1 };
}

/** Ranks above this make a key too wide to pack (the product with the row count must stay below 2^53). */
const packedDomainMax = 2 ** 31;

/**
 * Sorts by packing each row's composite key rank and position into one double and sorting the
 * doubles natively (no comparator calls); null when the keys are not integers of a small enough
 * range (doubles with fractions, wide spans), so the caller compares instead.
 */
function packedOrder(keys: readonly PreparedKey[], n: number): Int32Array | null {
  if (n < 2 || keys.length === 0) return null;
  const packed = new Float64Array(n);
  let stride = n;
  for (let k = keys.length - 1; k >= 0; k--) {
    const ranked = ranksOf(keys[k], n);
    if (ranked === null || stride * ranked.domain > Number.MAX_SAFE_INTEGER) return null;
    const ranks = ranked.ranks;
    for (let i = 0; i < n; i++) packed[i] += ranks[i] * stride;
    stride *= ranked.domain;
  }
  for (let i = 0; i < n; i++) packed[i] += i;
  packed.sort();
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = packed[i] % n;
  return indices;
}

/**
 * Positions of the rows whose value of `key` does not sort after `boundary` (row 0 of a
 * one-row vector of the key's type): what a top-N keeps of a batch once it holds N rows, since a
 * row strictly after its N-th row can never enter it.
 */
export function rowsNotAfter(key: SortKey, vector: Vector, boundary: Vector): { indices: Int32Array; count: number } {
  const n = vector.length;
  const indices = new Int32Array(n);
  const direction = key.ascending ? 1 : -1;
  const boundaryNull = boundary.nulls !== null && boundary.nulls[0] === 1;
  let count = 0;
  if (boundaryNull) {
    // NULLs first: only NULLs tie with the boundary; NULLs last: every row is before or tied.
    for (let i = 0; i < n; i++) {
      const isNullRow = vector.nulls !== null && vector.nulls[i] === 1;
      if (!key.nullsFirst || isNullRow) indices[count++] = i;
    }
    return { indices, count };
  }
  const compare = boundaryComparer(vector, boundary);
  for (let i = 0; i < n; i++) {
    if (vector.nulls !== null && vector.nulls[i] === 1) {
      if (key.nullsFirst) indices[count++] = i;
      continue;
    }
    if (compare(i) * direction <= 0) indices[count++] = i;
  }
  return { indices, count };
}

/** -1, 0, 1 of row i against the boundary value, in ascending order (NaN above all numbers). */
function boundaryComparer(vector: Vector, boundary: Vector): (i: number) => number {
  if (vector.kind === 'string') {
    const b = (boundary as typeof vector).dictionary[(boundary as typeof vector).codes[0]];
    return (i) => compareText(vector.dictionary[vector.codes[i]], b);
  }
  const values = vector.values;
  const b = Number(boundary.kind === 'numeric' ? boundary.values[0] : 0);
  return (i) => {
    const x = Number(values[i]);
    if (x < b) return -1;
    if (x > b) return 1;
    if (x === b || (x !== x && b !== b)) return 0;
    return x !== x ? 1 : -1;
  };
}

/**
 * One key column of one batch, comparable with the same key of another batch: strings keep their
 * codes and dictionary (ranks differ between batches), numbers are read as doubles as in sorting.
 */
export interface MergeKey {
  readonly values: ArrayLike<number>;
  readonly dictionary: readonly string[] | null;
  readonly nulls: Uint8Array | null;
  /** 1 ascending, -1 descending. */
  readonly direction: number;
  /** Result of comparing NULL with a value (-1: NULL first). */
  readonly nullOrder: number;
}

/** Evaluates the keys over a batch for comparisons across batches (merging sorted runs). */
export function prepareMergeKeys(keys: readonly SortKey[], batch: Batch): MergeKey[] {
  return keys.map((key) => {
    const vector = evaluateExpr(key.expr, batch);
    const direction = key.ascending ? 1 : -1;
    const nullOrder = key.nullsFirst ? -1 : 1;
    if (vector.kind === 'string') return { values: vector.codes, dictionary: vector.dictionary, nulls: vector.nulls, direction, nullOrder };
    const source = vector.values;
    const values = source instanceof BigInt64Array ? Float64Array.from(source, (v) => Number(v)) : (source as ArrayLike<number>);
    return { values, dictionary: null, nulls: vector.nulls, direction, nullOrder };
  });
}

/** -1, 0, 1: order of row a under keys x against row b under keys y (same sort keys, two batches); as compareRows. */
export function compareAcross(x: readonly MergeKey[], a: number, y: readonly MergeKey[], b: number): number {
  for (let k = 0; k < x.length; k++) {
    const kx = x[k];
    const ky = y[k];
    const na = kx.nulls === null ? 0 : kx.nulls[a];
    const nb = ky.nulls === null ? 0 : ky.nulls[b];
    if (na === 1 || nb === 1) {
      if (na === nb) continue;
      return na === 1 ? kx.nullOrder : -kx.nullOrder;
    }
    if (kx.dictionary !== null) {
      const order = compareText(kx.dictionary[kx.values[a]], (ky.dictionary as readonly string[])[ky.values[b]]);
      if (order !== 0) return order * kx.direction;
      continue;
    }
    const p = kx.values[a];
    const q = ky.values[b];
    if (p < q) return -kx.direction;
    if (p > q) return kx.direction;
    if (p !== q) {
      // At least one NaN: NaN sorts after every number.
      if (p !== p && q !== q) continue;
      return (p !== p ? 1 : -1) * kx.direction;
    }
  }
  return 0;
}

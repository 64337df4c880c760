/**
 * Whole-vector helpers every kernel and operator shares: null masks, constant vectors, gather
 * (take), compaction by predicate, slicing, concatenation and scatter. Each is one tight loop
 * over typed arrays; none allocates per row.
 */
import {
  allocateValues, numericVector, stringVector,
  type Batch, type DataType, type NumericArray, type NumericVector, type StringVector, type Vector,
} from '../../storage/index.js';

/** The union of two null masks over n rows (null when neither has NULLs). */
export function unionNulls(a: Uint8Array | null, b: Uint8Array | null, n: number): Uint8Array | null {
  if (a === null) return b === null ? null : b.slice(0, n);
  if (b === null) return a.slice(0, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i] | b[i];
  return out;
}

/** True when the mask marks at least one of its n rows NULL. */
export function anyNull(nulls: Uint8Array | null, n: number): boolean {
  if (nulls === null) return false;
  for (let i = 0; i < n; i++) if (nulls[i] === 1) return true;
  return false;
}

/** A mask with every one of n rows NULL. */
export function allNulls(n: number): Uint8Array {
  return new Uint8Array(n).fill(1);
}

/** A vector of n NULLs of the given type. */
export function nullVector(type: DataType, n: number): Vector {
  if (type.id === 'string') return stringVector(type, new Int32Array(n), [], allNulls(n));
  return numericVector(type, type.id === 'interval' ? new Float64Array(n) : allocateValues(type, n), allNulls(n));
}

/** The same vector under another type of the same representation (VARCHAR(n) -> VARCHAR). */
export function withType(vector: Vector, type: DataType): Vector {
  if (vector.kind === 'string') return stringVector(type, vector.codes, vector.dictionary, vector.nulls);
  return numericVector(type, vector.values, vector.nulls);
}

/** The same vector with a different null mask. */
export function withNulls(vector: Vector, nulls: Uint8Array | null): Vector {
  if (vector.kind === 'string') return stringVector(vector.type, vector.codes, vector.dictionary, nulls);
  return numericVector(vector.type, vector.values, nulls);
}

// One gather loop per array class keeps each monomorphic (a shared generic loop would see four classes).
function takeFloat64(values: Float64Array, indices: Int32Array, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = values[indices[i]];
  return out;
}

function takeInt32(values: Int32Array, indices: Int32Array, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = values[indices[i]];
  return out;
}

function takeUint8(values: Uint8Array, indices: Int32Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = values[indices[i]];
  return out;
}

function takeBigInt64(values: BigInt64Array, indices: Int32Array, count: number): BigInt64Array {
  const out = new BigInt64Array(count);
  for (let i = 0; i < count; i++) out[i] = values[indices[i]];
  return out;
}

function takeArray(values: NumericArray, indices: Int32Array, count: number): NumericArray {
  if (values instanceof Float64Array) return takeFloat64(values, indices, count);
  if (values instanceof Int32Array) return takeInt32(values, indices, count);
  if (values instanceof Uint8Array) return takeUint8(values, indices, count);
  return takeBigInt64(values, indices, count);
}

function takeNulls(nulls: Uint8Array | null, indices: Int32Array, count: number): Uint8Array | null {
  if (nulls === null) return null;
  const out = new Uint8Array(count);
  let any = 0;
  for (let i = 0; i < count; i++) any |= out[i] = nulls[indices[i]];
  return any === 0 ? null : out;
}

/** Rows indices[0..count) of a vector (gather). */
export function takeVector(vector: Vector, indices: Int32Array, count: number): Vector {
  const nulls = takeNulls(vector.nulls, indices, count);
  if (vector.kind === 'string') return stringVector(vector.type, takeInt32(vector.codes, indices, count), vector.dictionary, nulls);
  return numericVector(vector.type, takeArray(vector.values, indices, count), nulls);
}

/** Rows indices[0..count) of every column of a batch. */
export function takeBatch(batch: Batch, indices: Int32Array, count: number): Batch {
  return { length: count, columns: batch.columns.map((column) => takeVector(column, indices, count)) };
}

/** Positions of the rows where a boolean vector is true (not false, not NULL). */
export function selectTrue(predicate: Vector): { indices: Int32Array; count: number } {
  const indices = new Int32Array(predicate.length);
  return { indices, count: selectTrueInto(predicate, indices) };
}

/** Writes the positions of the true rows of a boolean vector to `out` and returns how many there are. */
export function selectTrueInto(predicate: Vector, out: Int32Array): number {
  const n = predicate.length;
  const values = predicate.kind === 'numeric' ? predicate.values as Uint8Array : new Uint8Array(n);
  const nulls = predicate.nulls;
  let count = 0;
  // Branch-free: write every position, advance only past true rows.
  if (nulls === null) {
    for (let i = 0; i < n; i++) {
      out[count] = i;
      count += values[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      out[count] = i;
      count += values[i] & (nulls[i] ^ 1);
    }
  }
  return count;
}

/** The rows of a batch where predicate is true; the batch itself when all are. */
export function filterBatch(batch: Batch, predicate: Vector): Batch {
  const { indices, count } = selectTrue(predicate);
  if (count === batch.length) return batch;
  return takeBatch(batch, indices, count);
}

/** Rows [start, end) of a vector, sharing its buffers. */
export function sliceVector(vector: Vector, start: number, end: number): Vector {
  const nulls = vector.nulls === null ? null : vector.nulls.subarray(start, end);
  if (vector.kind === 'string') return stringVector(vector.type, vector.codes.subarray(start, end), vector.dictionary, nulls);
  return numericVector(vector.type, vector.values.subarray(start, end), nulls);
}

/** Rows [start, end) of a batch, sharing its buffers. */
export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  if (start === 0 && end === batch.length) return batch;
  return { length: end - start, columns: batch.columns.map((column) => sliceVector(column, start, end)) };
}

function concatNulls(vectors: readonly Vector[], total: number): Uint8Array | null {
  if (vectors.every((v) => v.nulls === null)) return null;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const v of vectors) {
    if (v.nulls !== null) out.set(v.nulls.subarray(0, v.length), offset);
    offset += v.length;
  }
  return out;
}

/** One vector holding the rows of all given vectors of one type, in order (dictionaries merged). */
export function concatVectors(type: DataType, vectors: readonly Vector[]): Vector {
  if (vectors.length === 1) return vectors[0];
  const total = vectors.reduce((sum, v) => sum + v.length, 0);
  const nulls = concatNulls(vectors, total);
  if (type.id === 'string') return concatStrings(type, vectors as readonly StringVector[], total, nulls);
  const first = vectors.length > 0 ? (vectors[0] as NumericVector).values : allocateValues(type, 0);
  const values = new (first.constructor as new (n: number) => NumericArray)(total);
  let offset = 0;
  for (const v of vectors as readonly NumericVector[]) {
    (values as Float64Array).set(v.values.subarray(0, v.length) as Float64Array, offset);
    offset += v.length;
  }
  return numericVector(type, values, nulls);
}

function concatStrings(type: DataType, vectors: readonly StringVector[], total: number, nulls: Uint8Array | null): StringVector {
  const codes = new Int32Array(total);
  const shared = vectors.every((v) => v.dictionary === vectors[0].dictionary);
  if (shared) {
    let offset = 0;
    for (const v of vectors) {
      codes.set(v.codes.subarray(0, v.length), offset);
      offset += v.length;
    }
    return stringVector(type, codes, vectors.length > 0 ? vectors[0].dictionary : [], nulls);
  }
  // Dictionaries differ: intern entries so the merged dictionary holds each string once.
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  let offset = 0;
  for (const v of vectors) {
    const remap = new Int32Array(v.dictionary.length).fill(-1);
    for (let i = 0; i < v.length; i++) {
      if (v.nulls !== null && v.nulls[i] === 1) continue;
      const code = v.codes[i];
      let mapped = remap[code];
      if (mapped === -1) {
        const text = v.dictionary[code];
        mapped = index.get(text) ?? -1;
        if (mapped === -1) {
          mapped = dictionary.length;
          dictionary.push(text);
          index.set(text, mapped);
        }
        remap[code] = mapped;
      }
      codes[offset + i] = mapped;
    }
    offset += v.length;
  }
  return stringVector(type, codes, dictionary, nulls);
}

/** One batch holding the rows of all given batches (same column types). */
export function concatBatches(types: readonly DataType[], batches: readonly Batch[]): Batch {
  if (batches.length === 1) return batches[0];
  const length = batches.reduce((sum, b) => sum + b.length, 0);
  const columns = types.map((type, c) => concatVectors(type, batches.map((b) => b.columns[c])));
  return { length, columns };
}

/**
 * Writes the rows of `parts[k]` to positions `positions[k]` of one vector of n rows; rows no part
 * covers are NULL. Used by CASE and COALESCE, which evaluate each branch only on its own rows.
 */
export function scatterVectors(type: DataType, n: number, parts: readonly Vector[], positions: readonly Int32Array[]): Vector {
  const nulls = allNulls(n);
  if (type.id === 'string') {
    const codes = new Int32Array(n);
    const dictionary: string[] = [];
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k] as StringVector;
      const at = positions[k];
      const base = dictionary.length;
      for (let i = 0; i < part.dictionary.length; i++) dictionary.push(part.dictionary[i]);
      for (let i = 0; i < part.length; i++) {
        codes[at[i]] = part.codes[i] + base;
        nulls[at[i]] = part.nulls === null ? 0 : part.nulls[i];
      }
    }
    return stringVector(type, codes, dictionary, anyNull(nulls, n) ? nulls : null);
  }
  const values = scatterValuesArray(type, parts, n);
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k] as NumericVector;
    const at = positions[k];
    const source = part.values;
    for (let i = 0; i < part.length; i++) {
      (values as Float64Array)[at[i]] = source[i] as number;
      nulls[at[i]] = part.nulls === null ? 0 : part.nulls[i];
    }
  }
  return numericVector(type, values, anyNull(nulls, n) ? nulls : null);
}

function scatterValuesArray(type: DataType, parts: readonly Vector[], n: number): NumericArray {
  const sample = parts.find((p) => p.kind === 'numeric') as NumericVector | undefined;
  if (sample !== undefined) return new (sample.values.constructor as new (n: number) => NumericArray)(n);
  return type.id === 'interval' ? new Float64Array(n) : allocateValues(type, n);
}

/** A batch with no columns and n rows (what constant expressions are evaluated over). */
export function emptyBatch(n: number): Batch {
  return { length: n, columns: [] };
}

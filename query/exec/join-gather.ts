/**
 * Gathers for join output: rows by index where an index of -1 stands for a NULL row (the
 * missing side of an outer join), and batches that glue the two sides' columns together.
 */
import {
  numericVector, stringVector,
  type Batch, type DataType, type NumericArray, type Vector,
} from '../../storage/index.js';
import { nullVector, takeVector } from './vector-ops.js';

function takeNullsOrMissing(nulls: Uint8Array | null, indices: Int32Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  if (nulls === null) {
    for (let i = 0; i < count; i++) out[i] = indices[i] < 0 ? 1 : 0;
  } else {
    for (let i = 0; i < count; i++) {
      const index = indices[i];
      out[i] = index < 0 ? 1 : nulls[index];
    }
  }
  return out;
}

function takeValuesOrZero(values: NumericArray, indices: Int32Array, count: number): NumericArray {
  const out = new (values.constructor as new (n: number) => NumericArray)(count);
  if (values instanceof BigInt64Array) {
    const big = out as BigInt64Array;
    for (let i = 0; i < count; i++) big[i] = indices[i] < 0 ? 0n : values[indices[i]];
    return out;
  }
  const plain = out as Float64Array;
  const source = values as Float64Array;
  for (let i = 0; i < count; i++) {
    const index = indices[i];
    plain[i] = index < 0 ? 0 : source[index];
  }
  return out;
}

/** Rows indices[0..count) of a vector; index -1 gives a NULL row. */
export function takeVectorOrNull(vector: Vector, indices: Int32Array, count: number): Vector {
  const nulls = takeNullsOrMissing(vector.nulls, indices, count);
  if (vector.kind === 'string') {
    const codes = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const index = indices[i];
      codes[i] = index < 0 ? 0 : vector.codes[index];
    }
    return stringVector(vector.type, codes, vector.dictionary, nulls);
  }
  return numericVector(vector.type, takeValuesOrZero(vector.values, indices, count), nulls);
}

/** The columns of `left` at leftRows followed by those of `right` at rightRows (either may be null: all NULL). */
export function joinedBatch(
  left: Batch, leftTypes: readonly DataType[], leftRows: Int32Array | null,
  right: Batch, rightTypes: readonly DataType[], rightRows: Int32Array | null,
  count: number, withMissing: boolean,
): Batch {
  const side = (batch: Batch, types: readonly DataType[], rows: Int32Array | null): Vector[] => {
    if (rows === null) return types.map((type) => nullVector(type, count));
    return batch.columns.map((column) => (withMissing ? takeVectorOrNull(column, rows, count) : takeVector(column, rows, count)));
  };
  return { length: count, columns: [...side(left, leftTypes, leftRows), ...side(right, rightTypes, rightRows)] };
}

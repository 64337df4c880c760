/**
 * The in-memory columnar format every layer exchanges: a Batch of Vectors over typed arrays.
 *
 * One representation per type keeps kernels simple and monomorphic:
 *   boolean            Uint8Array   0 / 1
 *   int16, int32       Int32Array
 *   int64, float64     Float64Array (int64 exact within +-2^53)
 *   decimal(p,s)       Float64Array holding the scaled integer (123.45 as DECIMAL(15,2) is 12345)
 *                      for p <= 18 (stored columns; values within +-2^53); BigInt64Array for
 *                      p > 18, which only computed values have (sum of decimals is DECIMAL(38,s))
 *   date               Int32Array   days since epoch
 *   timestamp          Float64Array microseconds since epoch
 *   string             codes Int32Array into dictionary string[] (a plain column's dictionary may
 *                      simply have one entry per row; codes need not be sorted or unique); a
 *                      vector built from bytes also carries the dictionary as UTF-8 (utf8)
 * nulls is a byte per row (1 = NULL) or null when the vector has no NULLs. The value under a NULL
 * is unspecified (usually 0) and kernels must not depend on it.
 */
import type { DataType } from './types.js';

/** A typed array that backs a numeric vector. */
export type NumericArray = Uint8Array | Int32Array | Float64Array | BigInt64Array;

/** A column of numbers, booleans, dates, timestamps or decimals. */
export interface NumericVector {
  readonly kind: 'numeric';
  readonly type: DataType;
  readonly length: number;
  readonly values: NumericArray;
  readonly nulls: Uint8Array | null;
}

/** A column of strings: codes index into dictionary. */
export interface StringVector {
  readonly kind: 'string';
  readonly type: DataType;
  readonly length: number;
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
  readonly nulls: Uint8Array | null;
  /**
   * The dictionary as UTF-8 (entry i is data[offsets[i], offsets[i + 1])), when the vector was
   * built from bytes (ingest): the partition writer copies these bytes instead of re-encoding
   * strings, and `dictionary` is then decoded only when something reads it.
   */
  readonly utf8?: Utf8Dictionary;
}

/** UTF-8 entries of a string dictionary, Arrow style: offsets has one more entry than the dictionary. */
export interface Utf8Dictionary {
  readonly offsets: Int32Array;
  readonly data: Uint8Array;
}

/** A column of values of one type. */
export type Vector = NumericVector | StringVector;

/** A set of equally long columns; names are carried by the schema that goes with the batch. */
export interface Batch {
  readonly length: number;
  readonly columns: readonly Vector[];
}

/** Allocates the typed array that holds `length` values of `type` in memory. */
export function allocateValues(type: DataType, length: number): NumericArray {
  switch (type.id) {
    case 'boolean': return new Uint8Array(length);
    case 'int16':
    case 'int32':
    case 'date': return new Int32Array(length);
    case 'decimal': return (type.precision ?? 18) > 18 ? new BigInt64Array(length) : new Float64Array(length);
    case 'int64':
    case 'float64':
    case 'timestamp':
    case 'interval': return new Float64Array(length);
    case 'string': throw new Error('allocateValues: strings are held as codes and a dictionary');
  }
}

/** Builds a numeric vector. */
export function numericVector(type: DataType, values: NumericArray, nulls: Uint8Array | null = null): NumericVector {
  return { kind: 'numeric', type, length: values.length, values, nulls };
}

/** Builds a string vector. */
export function stringVector(type: DataType, codes: Int32Array, dictionary: readonly string[], nulls: Uint8Array | null = null): StringVector {
  return { kind: 'string', type, length: codes.length, codes, dictionary, nulls };
}

/** Decodes the entries of a UTF-8 dictionary into strings. */
export function decodeUtf8Dictionary(utf8: Utf8Dictionary): string[] {
  const { offsets, data } = utf8;
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength) as Buffer & { utf8Slice(start: number, end: number): string };
  const strings = new Array<string>(offsets.length - 1);
  for (let i = 0; i < strings.length; i++) strings[i] = buffer.utf8Slice(offsets[i], offsets[i + 1]);
  return strings;
}

/**
 * Builds a string vector whose dictionary is held as UTF-8; the string dictionary is decoded on
 * first read, so a vector that only goes to the partition writer never makes JS strings.
 */
export function utf8StringVector(type: DataType, codes: Int32Array, utf8: Utf8Dictionary, nulls: Uint8Array | null = null): StringVector {
  let dictionary: string[] | null = null;
  return {
    kind: 'string', type, length: codes.length, codes, nulls, utf8,
    get dictionary(): readonly string[] {
      dictionary ??= decodeUtf8Dictionary(utf8);
      return dictionary;
    },
  };
}

/** Builds a string vector from plain values (null entries become NULL). */
export function stringVectorFromValues(type: DataType, values: readonly (string | null)[]): StringVector {
  const codes = new Int32Array(values.length);
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null) {
      nulls ??= new Uint8Array(values.length);
      nulls[i] = 1;
      continue;
    }
    let code = index.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      index.set(value, code);
    }
    codes[i] = code;
  }
  return stringVector(type, codes, dictionary, nulls);
}

/** True when row i of v is NULL. */
export function isNull(v: Vector, i: number): boolean {
  return v.nulls !== null && v.nulls[i] === 1;
}

/** Row i of a string vector, or null. */
export function stringAt(v: StringVector, i: number): string | null {
  return isNull(v, i) ? null : v.dictionary[v.codes[i]];
}

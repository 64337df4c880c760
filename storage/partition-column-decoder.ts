/**
 * Turns the decompressed Arrow buffers of one column in one batch into a vector.ts Vector:
 * bitmaps become byte-per-row arrays, narrow integers widen to the in-memory array of the
 * column's SQL type, dictionaries become codes plus strings, plain Utf8 becomes a string vector
 * with one dictionary entry per row.
 */
import { decodeIntegers } from './encoding-integers.js';
import type { ColumnEncoding } from './encoding-spec.js';
import { splitJoined } from './encoding-text.js';
import { decodeTokens } from './encoding-tokens.js';
import { StrataError } from './errors.js';
import type { PartitionColumn } from './partition-format.js';
import type { DataType } from './types.js';
import { allocateValues, numericVector, stringVector, type Vector } from './vector.js';

/** The buffers of one column in one batch, decompressed, validity first. */
export interface DecodeInput {
  readonly column: PartitionColumn;
  /** The table schema's type of the column (same SQL type as the file's). */
  readonly type: DataType;
  readonly rows: number;
  /** Position of the record batch in the file (delta encodings keep a first value per batch). */
  readonly batch: number;
  readonly nullCount: number;
  readonly buffers: readonly Uint8Array[];
  /** Values of the reference column in this batch (columns encoded against a reference only). */
  readonly reference?: Int32Array | Float64Array;
  /** Strings of the column's dictionary (dictionary-encoded columns only). */
  readonly dictionary: readonly string[] | null;
  /** 'partition p, column c, batch b' for error messages. */
  readonly where: string;
}

type TypedArrayConstructor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/** A typed view of `count` elements of `bytes`, copied when the bytes are misaligned. */
function typedView<T>(bytes: Uint8Array, Kind: TypedArrayConstructor<T>, count: number, where: string): T {
  const needed = count * Kind.BYTES_PER_ELEMENT;
  if (bytes.length < needed) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: a buffer holds ${bytes.length} bytes, expected ${needed}; restore the partition from a backup`);
  }
  const aligned = bytes.byteOffset % Kind.BYTES_PER_ELEMENT === 0 ? bytes : bytes.slice(0, needed);
  return new Kind(aligned.buffer, aligned.byteOffset, count);
}

/** Byte-per-row NULL flags (1 = NULL) from an Arrow validity bitmap. */
function decodeValidity(bitmap: Uint8Array, rows: number, where: string): Uint8Array {
  if (bitmap.length < Math.ceil(rows / 8)) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: the validity bitmap is too short; restore the partition from a backup`);
  }
  const nulls = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) nulls[i] = ((bitmap[i >> 3] >> (i & 7)) & 1) ^ 1;
  return nulls;
}

function unpackBits(bits: Uint8Array, rows: number, where: string): Uint8Array {
  if (bits.length < Math.ceil(rows / 8)) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: a boolean bitmap is too short; restore the partition from a backup`);
  }
  const values = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) values[i] = (bits[i >> 3] >> (i & 7)) & 1;
  return values;
}

/** Integers of `bitWidth` bits widened into `target` (Int32Array or Float64Array). */
function decodeInts(bytes: Uint8Array, bitWidth: number, rows: number, target: Int32Array | Float64Array, where: string): void {
  switch (bitWidth) {
    case 8: target.set(typedView(bytes, Int8Array, rows, where)); return;
    case 16: target.set(typedView(bytes, Int16Array, rows, where)); return;
    case 32: target.set(typedView(bytes, Int32Array, rows, where)); return;
    default: decodeInt64(bytes, rows, target as Float64Array, where);
  }
}

/** int64 little-endian words into float64 (exact within +-2^53, all strata ever writes). */
function decodeInt64(bytes: Uint8Array, rows: number, target: Float64Array, where: string): void {
  const words = typedView(bytes, Int32Array, rows * 2, where);
  for (let i = 0; i < rows; i++) target[i] = words[2 * i + 1] * 4_294_967_296 + (words[2 * i] >>> 0);
}

/** Strings of an Arrow Utf8 array (offsets + data); NULL rows give ''. */
export function decodeUtf8(offsetBytes: Uint8Array, data: Uint8Array, count: number, where: string): string[] {
  const offsets = typedView(offsetBytes, Int32Array, count + 1, where);
  if (count > 0 && (offsets[0] < 0 || offsets[count] > data.length)) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: string offsets run past the data; restore the partition from a backup`);
  }
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.length);
  const strings = new Array<string>(count);
  let ascii = true;
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    // One latin1 decode of the whole buffer, then slices: far cheaper than a decode per row.
    const whole = buffer.toString('latin1');
    for (let i = 0; i < count; i++) strings[i] = whole.slice(offsets[i], offsets[i + 1]);
  } else {
    for (let i = 0; i < count; i++) strings[i] = buffer.toString('utf8', offsets[i], offsets[i + 1]);
  }
  return strings;
}

/** The vector of one column in one batch. */
export function decodeColumn(input: DecodeInput): Vector {
  const { column, type, rows, buffers, where } = input;
  const nulls = input.nullCount > 0 ? decodeValidity(buffers[0], rows, where) : null;
  if (column.encoding !== undefined) return decodeEncoded(input, column.encoding, nulls);
  const physical = column.physical;
  switch (physical.kind) {
    case 'bool': return numericVector(type, unpackBits(buffers[1], rows, where), nulls);
    case 'float64': return numericVector(type, typedView(buffers[1], Float64Array, rows, where), nulls);
    case 'date32': return numericVector(type, typedView(buffers[1], Int32Array, rows, where), nulls);
    case 'timestamp-us':
    case 'int': {
      const values = uninitializedValues(type, rows);
      decodeInts(buffers[1], physical.kind === 'int' ? physical.bitWidth : 64, rows, values, where);
      return numericVector(type, values, nulls);
    }
    case 'dictionary': {
      const codes = new Int32Array(rows);
      if (physical.indexUnsigned === true && physical.indexBitWidth === 8) codes.set(typedView(buffers[1], Uint8Array, rows, where));
      else if (physical.indexUnsigned === true) codes.set(typedView(buffers[1], Uint16Array, rows, where));
      else decodeInts(buffers[1], physical.indexBitWidth, rows, codes, where);
      return stringVector(type, codes, input.dictionary ?? [], nulls);
    }
    case 'utf8': return stringVector(type, identityCodes(rows), decodeUtf8(buffers[1], buffers[2], rows, where), nulls);
    case 'binary': throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: ${where} is binary without an encoding`);
  }
}

/**
 * The value array of a numeric column, left uninitialized because the caller writes every
 * element: zero-filling half a megabyte per column and batch is measurable in a scan.
 */
function uninitializedValues(type: DataType, rows: number): Int32Array | Float64Array {
  const values = allocateValues(type, 0);
  if (values instanceof Float64Array) return new Float64Array(uninitializedBytes(rows * 8), 0, rows);
  if (values instanceof Int32Array) return new Int32Array(uninitializedBytes(rows * 4), 0, rows);
  return allocateValues(type, rows) as Int32Array | Float64Array;
}

/** An ArrayBuffer of its own (not a slice of Node's shared pool) whose bytes are not zeroed. */
export function uninitializedBytes(bytes: number): ArrayBuffer {
  return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
}

function identityCodes(rows: number): Int32Array {
  const codes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) codes[i] = i;
  return codes;
}

/** The vector of a strata-encoded column (decodable() has checked encoding, physical type and SQL type agree). */
function decodeEncoded(input: DecodeInput, encoding: ColumnEncoding, nulls: Uint8Array | null): Vector {
  const { type, rows, buffers, where, batch } = input;
  if (encoding.kind === 'text') {
    const strings = encoding.layout === 'tokens' ? decodeTokens(buffers[2], rows, where) : splitJoined(buffers[2], rows, encoding.separator!, where);
    return stringVector(type, identityCodes(rows), strings, nulls);
  }
  if (type.id !== 'string') {
    const values = allocateValues(type, rows) as Int32Array | Float64Array;
    decodeIntegers(buffers[1], encoding, rows, batch, values, where);
    if (encoding.reference !== undefined) addReference(values, input.reference, rows, where);
    return numericVector(type, values, nulls);
  }
  const codes = new Int32Array(rows);
  decodeIntegers(buffers[1], encoding, rows, batch, codes, where);
  const dictionary = input.dictionary ?? [];
  // Codes of `width` bits cannot leave a dictionary of 2^width entries or more: check only otherwise.
  if (encoding.layout === 'bits' && 2 ** encoding.width <= dictionary.length) return stringVector(type, codes, dictionary, nulls);
  let codeMax = -1;
  for (let i = 0; i < rows; i++) {
    if (codes[i] > codeMax && (nulls === null || nulls[i] === 0)) codeMax = codes[i];
  }
  if (codeMax >= dictionary.length) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: a dictionary code is out of range; restore the partition from a backup`);
  }
  return stringVector(type, codes, dictionary, nulls);
}

function addReference(values: Int32Array | Float64Array, reference: Int32Array | Float64Array | undefined, rows: number, where: string): void {
  if (reference === undefined || reference.length < rows) {
    throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: ${where} is decoded without its reference column`);
  }
  for (let i = 0; i < rows; i++) values[i] += reference[i];
}

/** True when a file column of `physical` layout can be read as SQL type `type`. */
export function decodable(column: PartitionColumn, type: DataType): boolean {
  const { physical, encoding } = column;
  if (encoding?.kind === 'text') return type.id === 'string' && physical.kind === (encoding.layout === 'tokens' ? 'binary' : 'utf8');
  if (encoding?.kind === 'integers') {
    if (type.id === 'string') return physical.kind === 'dictionary' && physical.indexUnsigned === true && encoding.dictionaryEntries !== undefined;
    const integerType = type.id === 'int16' || type.id === 'int32' || type.id === 'int64' || type.id === 'decimal' || type.id === 'date' || type.id === 'timestamp';
    return integerType && physical.kind === 'int' && physical.unsigned === true && encoding.dictionaryEntries === undefined;
  }
  if (physical.kind === 'int' && physical.unsigned === true) return false;
  switch (type.id) {
    case 'boolean': return physical.kind === 'bool';
    case 'int16':
    case 'int32': return physical.kind === 'int' && physical.bitWidth <= 32;
    case 'int64': return physical.kind === 'int';
    case 'decimal': return physical.kind === 'int' && (type.precision ?? 18) <= 18;
    case 'float64': return physical.kind === 'float64';
    case 'date': return physical.kind === 'date32';
    case 'timestamp': return physical.kind === 'timestamp-us';
    case 'string': return physical.kind === 'utf8' || physical.kind === 'dictionary';
    case 'interval': return false;
  }
}

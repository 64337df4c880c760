/**
 * The strata encodings a partition column may use beyond plain Arrow, as recorded in the field
 * metadata key `strata.encoding` (JSON). A plain Arrow reader opens such a file fine but sees the
 * encoded form (offsets from a base, packed bytes, joined or tokenized text); the strata reader
 * decodes it. docs/storage-format.md describes each encoding byte by byte.
 */
import { StrataError } from './errors.js';

/** Field metadata key holding a column's encoding as JSON; absent for plain Arrow columns. */
export const strataEncodingKey = 'strata.encoding';

/**
 * Integers (values, days, microseconds, scaled decimals or dictionary codes) stored as small
 * unsigned numbers u. 'for': value = base + u * multiplier. 'delta': value[i] = value[i-1] +
 * base + u * multiplier, with value[-1] = firsts[batch] (NULL rows repeat the previous value).
 */
export interface IntegerEncoding {
  readonly kind: 'integers';
  readonly transform: 'for' | 'delta';
  readonly base: number;
  readonly multiplier: number;
  /**
   * 'bytes': u as unsigned little-endian integers of `width` bytes (1, 2, 4, 8); 'bits': u packed
   * LSB-first at `width` bits each (1..24); 'split': the `width` bytes of each u stored as byte
   * planes (all low bytes, then all second bytes, …; width 2..7).
   */
  readonly layout: 'bytes' | 'bits' | 'split';
  readonly width: number;
  /** delta only: the first non-NULL value of each record batch (0 when the batch is all NULL). */
  readonly firsts?: readonly number[];
  /** Dictionary codes only: real entries of the dictionary, which is padded to 256 entries. */
  readonly dictionaryEntries?: number;
  /**
   * Position of a reference column (earlier in the schema, integer-like, no NULLs, itself without
   * a reference): the transform then holds value minus the reference column's value in the same row.
   */
  readonly reference?: number;
}

/**
 * Strings of a batch stored as one byte stream. 'joined': the UTF-8 of the rows joined by
 * `separator` (a byte no row contains). 'tokens': rows split at spaces into tokens; frequent
 * tokens become one- or two-byte codes into a vocabulary stored at the head of the stream.
 */
export interface TextEncoding {
  readonly kind: 'text';
  readonly layout: 'joined' | 'tokens';
  /** joined only: the separator byte, 0x0A or 0x00. */
  readonly separator?: number;
}

/** A column encoding; plain Arrow columns have none. */
export type ColumnEncoding = IntegerEncoding | TextEncoding;

/** Row separators 'joined' may use, in order of preference: both are ASCII, so UTF-8 decodes around them. */
export const joinedSeparators = [0x0a, 0x00] as const;

/** Widest bit-packed integer: unpacking reads 4 bytes per value, so width + 7 must fit 31 bits. */
export const packedBitsMax = 24;

/** Bytes per value of the 'split' layout, at most: 7 planes hold any exact integer (2^53). */
export const splitPlanesMax = 7;

function unsupported(where: string, text: string): StrataError {
  return new StrataError('not_supported', 'PARTITION_FORMAT_UNSUPPORTED',
    `${where}: unknown strata.encoding ${text.slice(0, 200)}; this version of strata cannot decode it: upgrade strata`);
}

function isExactInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function validIntegers(value: Record<string, unknown>): boolean {
  const { transform, base, multiplier, layout, width, firsts, dictionaryEntries } = value;
  if (transform !== 'for' && transform !== 'delta') return false;
  if (!isExactInteger(base) || !isExactInteger(multiplier) || multiplier < 1) return false;
  if (!isExactInteger(width)) return false;
  const widthOk = layout === 'bytes' ? [1, 2, 4, 8].includes(width)
    : layout === 'bits' ? width >= 0 && width <= packedBitsMax
      : layout === 'split' ? width >= 2 && width <= splitPlanesMax : false;
  if (!widthOk) return false;
  if (transform === 'delta' && !(Array.isArray(firsts) && firsts.every(isExactInteger))) return false;
  if (value.reference !== undefined && !(isExactInteger(value.reference) && value.reference >= 0 && dictionaryEntries === undefined)) return false;
  return dictionaryEntries === undefined || (isExactInteger(dictionaryEntries) && dictionaryEntries >= 0 && dictionaryEntries <= 256);
}

/** Parses and validates a `strata.encoding` value; `where` names the partition and column for errors. */
export function parseColumnEncoding(text: string, where: string): ColumnEncoding {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw unsupported(where, text);
  }
  if (typeof value !== 'object' || value === null) throw unsupported(where, text);
  const record = value as Record<string, unknown>;
  if (record.kind === 'integers' && validIntegers(record)) return record as unknown as IntegerEncoding;
  if (record.kind === 'text') {
    if (record.layout === 'tokens') return { kind: 'text', layout: 'tokens' };
    if (record.layout === 'joined' && (joinedSeparators as readonly unknown[]).includes(record.separator)) {
      return { kind: 'text', layout: 'joined', separator: record.separator as number };
    }
  }
  throw unsupported(where, text);
}

/** A short name of an encoding for statistics and EXPLAIN, e.g. 'for+bits(18)', 'delta+bytes(1)', 'tokens'. */
export function encodingName(encoding: ColumnEncoding | undefined): string {
  if (encoding === undefined) return 'plain';
  if (encoding.kind === 'text') return encoding.layout;
  const scale = encoding.multiplier === 1 ? '' : `*${encoding.multiplier}`;
  const reference = encoding.reference === undefined ? '' : `reference(${encoding.reference})+`;
  const transform = encoding.dictionaryEntries === undefined ? encoding.transform : 'dictionary';
  return `${reference}${transform}${scale}+${encoding.layout}(${encoding.width})`;
}

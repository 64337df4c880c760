/**
 * Constants and shapes of the partition file format: an Arrow IPC file (format v5) with ZSTD
 * body compression, as described in docs/storage-format.md. Shared by writer and reader.
 */
import type { ColumnEncoding } from './encoding-spec.js';
import type { DataType } from './types.js';

/** The 6-byte magic that opens and closes every Arrow IPC file. */
export const arrowMagic = new Uint8Array([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]); // "ARROW1"

/** Marks the start of every encapsulated IPC message. */
export const continuationMarker = 0xffffffff;

/** Arrow MetadataVersion V5, the current one. */
export const metadataVersionV5 = 4;

/** Arrow MessageHeader union tags. */
export const MessageHeaderType = { schema: 1, dictionaryBatch: 2, recordBatch: 3 } as const;

/** Arrow Type union tags of the types strata writes. */
export const ArrowTypeTag = { int: 2, floatingPoint: 3, binary: 4, utf8: 5, bool: 6, date: 8, timestamp: 10 } as const;

/** Arrow enum values strata writes. */
export const ArrowEnum = {
  precisionDouble: 2,
  dateUnitDay: 0,
  timeUnitMicrosecond: 2,
  compressionZstd: 1,
  compressionLz4Frame: 0,
  bodyCompressionBuffer: 0,
  endiannessLittle: 0,
} as const;

/** Prefix of a compressed buffer: its uncompressed length as int64 LE, -1 when stored raw. */
export const compressedLengthPrefixBytes = 8;

/** Field metadata key holding the strata SQL type as JSON, e.g. {"id":"decimal","precision":15,"scale":2}. */
export const strataTypeKey = 'strata.type';
/** Schema metadata key holding the format version of strata partitions. */
export const strataFormatKey = 'strata.format';
/** `strata.format` of partitions in plain Arrow: every column reads as its Arrow type says. */
export const strataFormatVersion = '1';
/** `strata.format` of partitions with at least one strata-encoded column (field key `strata.encoding`). */
export const strataFormatEncodedVersion = '2';
/** Values of `strata.format` this version reads; older strata refuses '2', so it never misreads an encoded column. */
export const strataFormatVersionsReadable: readonly string[] = [strataFormatVersion, strataFormatEncodedVersion];
/** Schema metadata key holding per-batch zone maps (see PartitionZones). */
export const strataZonesKey = 'strata.zones';
/** Schema metadata key holding the crc32 checksums (see PartitionChecksums). */
export const strataChecksumsKey = 'strata.checksums';

/** Rows per record batch unless told otherwise: bounds memory per batch and keeps typed-array loops in cache. */
export const batchRowsMaxDefault = 65_536;

/** Largest dictionary strings may use: beyond it plain Utf8 is as small and faster to read. */
export const dictionaryEntriesMax = 65_536;

/** How one column is laid out on disk. */
export type PhysicalType =
  | { readonly kind: 'int'; readonly bitWidth: 8 | 16 | 32 | 64; readonly unsigned?: true }
  | { readonly kind: 'float64' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'date32' }
  | { readonly kind: 'timestamp-us' }
  | { readonly kind: 'utf8' }
  | { readonly kind: 'binary' }
  | { readonly kind: 'dictionary'; readonly indexBitWidth: 8 | 16 | 32; readonly dictionaryId: number; readonly indexUnsigned?: true };

/** Buffers per column in a record batch (validity first), per the Arrow columnar layout. */
export function bufferCount(physical: PhysicalType): number {
  return physical.kind === 'utf8' || physical.kind === 'binary' ? 3 : 2;
}

/**
 * The crc32 checksums stored under `strata.checksums`: for each record batch the crc32 of each
 * column's byte range in the body (all its compressed buffers with their padding), and for each
 * dictionary id the crc32 of the dictionary batch body.
 */
export interface PartitionChecksums {
  readonly algorithm: 'crc32';
  readonly batches: readonly (readonly number[])[];
  readonly dictionaries: Readonly<Record<string, number>>;
}

/** A column as the file describes it. */
export interface PartitionColumn {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  readonly physical: PhysicalType;
  /** How to decode the Arrow data into values; undefined for plain Arrow. */
  readonly encoding?: ColumnEncoding;
}

/** A buffer of a message body: offset from the body start and length, both in bytes. */
export interface BodyBuffer {
  readonly offset: number;
  readonly length: number;
}

/** Rows and NULLs of one column in one batch (Arrow FieldNode). */
export interface FieldNode {
  readonly length: number;
  readonly nullCount: number;
}

/** Rounds up to a multiple of 8: Arrow aligns every buffer and message to 8 bytes. */
export function align8(value: number): number {
  return Math.ceil(value / 8) * 8;
}

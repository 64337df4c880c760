/**
 * Writes a partition: one immutable Arrow IPC file with ZSTD-compressed buffers, narrow integer
 * widths, dictionary-encoded low-cardinality strings, the strata encodings that pay, zone maps
 * and crc32 checksums per column and batch (layout in docs/storage-format.md). The whole partition is gathered in memory first so the
 * schema (widths, dictionaries) can be chosen from all its values; callers bound partition size.
 */
import { randomBytes } from 'node:crypto';
import { crc32, Sha256Checksum } from './checksum.js';
import { StrataError } from './errors.js';
import { gatherColumn } from './partition-column-chunk.js';
import type { EncodingRequest } from './encoding-choice.js';
import { encodingName } from './encoding-spec.js';
import { checkStorable, encodeColumnBuffers, plainColumnBytes, type ColumnPlan, type Utf8Strings } from './partition-column-encoder.js';
import { planColumns } from './partition-column-planner.js';
import {
  align8, arrowMagic, batchRowsMaxDefault, compressedLengthPrefixBytes, MessageHeaderType, strataChecksumsKey, strataFormatEncodedVersion,
  strataFormatKey, strataFormatVersion, strataZonesKey, type BodyBuffer, type FieldNode, type PartitionChecksums,
} from './partition-format.js';
import {
  dictionaryBatchTable, encodeFooter, encodeMessage, endOfStreamMarker, recordBatchTable, schemaTable, type FileBlock,
} from './partition-messages.js';
import { columnZone, encodeZones, zoneStringCharsMax, type ZoneStats } from './partition-zones.js';
import {
  columnRange, mergeNumericRanges, numericRange, utf8ByteOrderIsCodeUnitOrder, utf8Entry, utf8RowRange, type NumericRange,
} from './partition-stats.js';
import type { NumericChunk } from './partition-column-chunk.js';
import type { Store } from './store.js';
import type { ColumnStats, PartitionMeta } from './table-types.js';
import type { Schema } from './types.js';
import type { Batch } from './vector.js';
import { zstdCompress, zstdLevelDefault } from './zstd-codec.js';

/** Options of writePartition. */
export interface PartitionWriteOptions {
  /** Partition id; a fresh time-ordered random id by default. */
  readonly id?: string;
  /** Rows per record batch (default 65,536). */
  readonly batchRowsMax?: number;
  /** zstd level (default 3; archive tiers use 9 to 19). */
  readonly zstdLevel?: number;
  /**
   * 'auto' (default): each column takes the strata encoding that pays (encoding-choice.ts);
   * 'plain': pure Arrow that any reader decodes, as `strata export` needs.
   */
  readonly encodings?: 'auto' | 'plain';
  /** Encoding requested per column name (EncodingRequest names), for tests and tools; 'auto' only. */
  readonly encodingRequests?: Readonly<Record<string, EncodingRequest>>;
}

/** Batches the partition writer accepts. */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch>;

/** Largest record batch accepted: Arrow lengths are int32 and larger batches defeat streaming. */
export const batchRowsMaxLimit = 1 << 24;

/** A new partition id: 'p-<ms since epoch, base 36>-<16 random hex digits>' (sorts by time). */
export function newPartitionId(): string {
  return `p-${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
}

/** A message body being laid out: 8-byte-aligned buffers with their crc32 per column. */
class BodyBuilder {
  readonly chunks: Uint8Array[] = [];
  readonly buffers: BodyBuffer[] = [];
  readonly crcs: number[] = [];
  readonly columnBytes: number[] = [];
  length = 0;
  #crc = 0;
  #columnStart = 0;

  constructor(private readonly level: number) {}

  /** Compresses and appends one buffer (empty buffers stay empty, per the Arrow spec). */
  addBuffer(raw: Uint8Array): void {
    const offset = this.length;
    if (raw.length === 0) {
      this.buffers.push({ offset, length: 0 });
      return;
    }
    const compressed = zstdCompress(raw, this.level);
    // Arrow allows a buffer to stay raw (length prefix -1) when compression does not pay.
    const stored = compressed.length < raw.length ? compressed : raw;
    const prefix = new Uint8Array(compressedLengthPrefixBytes);
    new DataView(prefix.buffer).setBigInt64(0, BigInt(stored === raw ? -1 : raw.length), true);
    this.append(prefix);
    this.append(stored);
    this.buffers.push({ offset, length: this.length - offset });
    const padding = align8(this.length) - this.length;
    if (padding > 0) this.append(new Uint8Array(padding));
  }

  /** Closes the current column: records the crc32 and size of its byte range. */
  endColumn(): void {
    this.crcs.push(this.#crc);
    this.columnBytes.push(this.length - this.#columnStart);
    this.#crc = 0;
    this.#columnStart = this.length;
  }

  private append(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.#crc = crc32(chunk, this.#crc);
  }
}

/** One message of the file: framed metadata plus body. */
interface EncodedMessage {
  readonly metadata: Uint8Array;
  readonly body: BodyBuilder;
}

/**
 * Entries of a dictionary whose codes are bit-packed: a plain reader takes the packed bytes for
 * unsigned 8-bit indices, so every byte value must name an entry for the file to stay valid.
 */
const packedDictionaryEntries = 256;

function encodeDictionary(plan: ColumnPlan, level: number): EncodedMessage {
  const physical = plan.column.physical;
  if (physical.kind !== 'dictionary' || plan.utf8 === null) throw new RangeError('not a dictionary column');
  const body = new BodyBuilder(level);
  const utf8 = plan.column.encoding !== undefined ? padUtf8(plan.utf8, packedDictionaryEntries) : plan.utf8;
  body.addBuffer(new Uint8Array(0));
  body.addBuffer(new Uint8Array(utf8.offsets.buffer, utf8.offsets.byteOffset, utf8.offsets.byteLength));
  body.addBuffer(utf8.data);
  body.endColumn();
  const entries = utf8.offsets.length - 1;
  const data = recordBatchTable(entries, [{ length: entries, nullCount: 0 }], body.buffers);
  return { metadata: encodeMessage(MessageHeaderType.dictionaryBatch, dictionaryBatchTable(physical.dictionaryId, data), body.length), body };
}

/** `strings` followed by empty strings up to `entries` entries. */
function padUtf8(strings: Utf8Strings, entries: number): Utf8Strings {
  const offsets = new Int32Array(Math.max(entries, strings.offsets.length - 1) + 1);
  offsets.set(strings.offsets);
  offsets.fill(strings.offsets[strings.offsets.length - 1], strings.offsets.length);
  return { offsets, data: strings.data };
}

function encodeRecordBatch(plans: readonly ColumnPlan[], start: number, end: number, level: number, batch: number): EncodedMessage {
  const body = new BodyBuilder(level);
  const nodes: FieldNode[] = [];
  for (const plan of plans) {
    const { buffers, nullCount } = encodeColumnBuffers(plan, start, end, batch);
    for (const buffer of buffers) body.addBuffer(buffer);
    body.endColumn();
    nodes.push({ length: end - start, nullCount });
  }
  return { metadata: encodeMessage(MessageHeaderType.recordBatch, recordBatchTable(end - start, nodes, body.buffers), body.length), body };
}

async function collectBatches(source: BatchSource, schema: Schema): Promise<{ batches: Batch[]; rows: number }> {
  const batches: Batch[] = [];
  let rows = 0;
  for await (const batch of source as AsyncIterable<Batch>) {
    if (batch.columns.length !== schema.fields.length) {
      throw new StrataError('internal', 'ASSERTION_FAILED',
        `assertion failed: a batch with ${batch.columns.length} columns was written to a partition of ${schema.fields.length} columns`);
    }
    for (const vector of batch.columns) {
      if (vector.length !== batch.length) {
        throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: a vector of ${vector.length} rows sits in a batch of ${batch.length}`);
      }
    }
    if (batch.length === 0) continue;
    batches.push(batch);
    rows += batch.length;
  }
  return { batches, rows };
}

/**
 * The zone of rows [start, end) of a planned column. A string column held as UTF-8 is compared
 * byte by byte and only its bounds are decoded (the same rules as partition-zones.ts columnZone,
 * which would decode every value).
 */
function batchZone(plan: ColumnPlan, start: number, end: number, numeric: NumericRange | null): ZoneStats | null {
  const chunk = plan.chunk;
  if (chunk.kind === 'numeric' && numeric !== null) {
    const nulls = chunk.nulls?.subarray(start, end) ?? null;
    let nullCount = 0;
    if (nulls !== null) for (let i = 0; i < nulls.length; i++) nullCount += nulls[i];
    const { min, max } = columnRange({ kind: 'numeric', values: chunk.values.subarray(start, end), nulls, nullCount }, plan.column.type, numeric);
    return { min, max, nullCount };
  }
  if (chunk.kind !== 'string' || chunk.utf8 === undefined || !utf8ByteOrderIsCodeUnitOrder(chunk.utf8)) return columnZone(chunk, plan.column.type, start, end);
  let nullCount = 0;
  if (chunk.nulls !== null) for (let i = start; i < end; i++) nullCount += chunk.nulls[i];
  const range = utf8RowRange(chunk.utf8, chunk.codes, chunk.nulls, start, end);
  if (range.min < 0) return { min: null, max: null, nullCount };
  const max = utf8Entry(chunk.utf8, range.max);
  if (max.length > zoneStringCharsMax) return null;
  return { min: utf8Entry(chunk.utf8, range.min).slice(0, zoneStringCharsMax), max, nullCount };
}

/** The numeric range of each record batch's rows of a chunk (read once: zones and partition stats both use them). */
function numericBatchRanges(chunk: NumericChunk, rows: number, batchRowsMax: number): NumericRange[] {
  const ranges: NumericRange[] = [];
  for (let start = 0; start < rows; start += batchRowsMax) {
    const end = Math.min(rows, start + batchRowsMax);
    const nulls = chunk.nulls?.subarray(start, end) ?? null;
    ranges.push(numericRange({ kind: 'numeric', values: chunk.values.subarray(start, end), nulls, nullCount: 0 }));
  }
  return ranges;
}

function checkOptions(options: PartitionWriteOptions): { batchRowsMax: number; level: number; encodings: 'auto' | 'plain' } {
  const batchRowsMax = options.batchRowsMax ?? batchRowsMaxDefault;
  if (!Number.isInteger(batchRowsMax) || batchRowsMax < 1 || batchRowsMax > batchRowsMaxLimit) {
    throw new StrataError('input', 'PARTITION_OPTION_INVALID',
      `invalid batchRowsMax ${batchRowsMax}: use an integer from 1 to ${batchRowsMaxLimit} (default ${batchRowsMaxDefault})`);
  }
  const encodings = options.encodings ?? 'auto';
  if (encodings !== 'auto' && encodings !== 'plain') {
    throw new StrataError('input', 'PARTITION_OPTION_INVALID', `invalid encodings '${String(encodings)}': use 'auto' (default) or 'plain'`);
  }
  return { batchRowsMax, level: options.zstdLevel ?? zstdLevelDefault, encodings };
}

function checkNullability(plans: readonly ColumnPlan[]): void {
  for (const plan of plans) {
    if (!plan.column.nullable && plan.chunk.nullCount > 0) {
      throw new StrataError('input', 'PARTITION_NULL_IN_NOT_NULL_COLUMN',
        `column '${plan.column.name}' is NOT NULL but ${plan.chunk.nullCount} rows are NULL; reject those rows before writing`);
    }
  }
}

/**
 * Writes `batches` (in `schema`) as a new partition file at store `path` and returns its
 * metadata (path is `path`). Fails with conflict STORE_FILE_EXISTS when the file exists.
 */
export async function writePartition(store: Store, path: string, schema: Schema, batches: BatchSource, options: PartitionWriteOptions = {}): Promise<PartitionMeta> {
  const { batchRowsMax, level, encodings } = checkOptions(options);
  schema.fields.forEach(checkStorable);
  const collected = await collectBatches(batches, schema);
  const rows = collected.rows;
  const chunks = schema.fields.map((field, index) => gatherColumn(collected.batches, index, field, rows));
  const batchRanges = chunks.map((chunk) => (chunk.kind === 'numeric' ? numericBatchRanges(chunk, rows, batchRowsMax) : null));
  const numericRanges = batchRanges.map((ranges) => (ranges === null ? null : mergeNumericRanges(ranges)));
  const plans = planColumns(schema.fields, chunks, rows, { encodings, level, batchRowsMax, requests: options.encodingRequests, numericRanges });
  checkNullability(plans);
  const dictionaries = plans.filter((plan) => plan.column.physical.kind === 'dictionary').map((plan) => encodeDictionary(plan, level));
  const recordBatches: EncodedMessage[] = [];
  const zones: (ZoneStats | null)[][] = [];
  for (let start = 0; start < rows; start += batchRowsMax) {
    const end = Math.min(rows, start + batchRowsMax);
    recordBatches.push(encodeRecordBatch(plans, start, end, level, recordBatches.length));
    const batch = zones.length;
    zones.push(plans.map((plan, column) => batchZone(plan, start, end, batchRanges[column]?.[batch] ?? null)));
  }
  const dictionaryColumns = plans.flatMap((plan, column) => (plan.column.physical.kind === 'dictionary' ? [column] : []));
  const checksums: PartitionChecksums = {
    algorithm: 'crc32',
    batches: recordBatches.map((message) => message.body.crcs),
    // A column's dictionary id is its position (planColumn), so the key is the column.
    dictionaries: Object.fromEntries(dictionaries.map((message, i) => [String(dictionaryColumns[i]), message.body.crcs[0]])),
  };
  const encoded = plans.some((plan) => plan.column.encoding !== undefined);
  const schemaFlat = schemaTable(plans.map((plan) => plan.column), [
    [strataFormatKey, encoded ? strataFormatEncodedVersion : strataFormatVersion],
    [strataChecksumsKey, JSON.stringify(checksums)],
    [strataZonesKey, encodeZones(zones)],
  ]);
  const file = assembleFile(schemaFlat, dictionaries, recordBatches);
  await store.write(path, file.chunks);
  return {
    id: options.id ?? newPartitionId(),
    path,
    rows,
    bytes: file.bytes,
    checksum: file.checksum,
    zstdLevel: level,
    columns: plans.map((plan, column): ColumnStats => {
      let bytes = dictionaryColumns.includes(column) ? dictionaries[dictionaryColumns.indexOf(column)].body.length : 0;
      for (const batch of recordBatches) bytes += batch.body.columnBytes[column];
      return {
        min: plan.range.min, max: plan.range.max, nullCount: plan.chunk.nullCount, bytes,
        encoding: encodingName(plan.column.encoding), plainBytes: plainColumnBytes(plan, rows),
      };
    }),
  };
}

/** Lays the file out: magic, schema, dictionaries, record batches, end of stream, footer, magic. */
function assembleFile(schemaFlat: ReturnType<typeof schemaTable>, dictionaries: readonly EncodedMessage[], recordBatches: readonly EncodedMessage[]): { chunks: Uint8Array[]; bytes: number; checksum: string } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (chunk: Uint8Array): void => {
    chunks.push(chunk);
    offset += chunk.length;
  };
  const header = new Uint8Array(8);
  header.set(arrowMagic);
  push(header);
  push(encodeMessage(MessageHeaderType.schema, schemaFlat, 0));
  const place = (message: EncodedMessage): FileBlock => {
    const block = { offset, metaDataLength: message.metadata.length, bodyLength: message.body.length };
    push(message.metadata);
    for (const chunk of message.body.chunks) push(chunk);
    return block;
  };
  const dictionaryBlocks = dictionaries.map(place);
  const batchBlocks = recordBatches.map(place);
  push(endOfStreamMarker());
  const footer = encodeFooter(schemaFlat, dictionaryBlocks, batchBlocks);
  push(footer);
  const trailer = new Uint8Array(4 + arrowMagic.length);
  new DataView(trailer.buffer).setInt32(0, footer.length, true);
  trailer.set(arrowMagic, 4);
  push(trailer);
  const checksum = new Sha256Checksum();
  for (const chunk of chunks) checksum.update(chunk);
  return { chunks, bytes: offset, checksum: checksum.digest() };
}

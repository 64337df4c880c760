/**
 * Reads the layout of a partition file: the footer (schema, blocks) and the metadata of every
 * dictionary and record batch message, so the reader can fetch exactly the byte ranges of the
 * columns a query needs. Layouts are cached per file (files are immutable) in a small LRU.
 */
import { mapBounded } from './bounded-map.js';
import { StrataError } from './errors.js';
import { FlatReader } from './flatbuffer-reader.js';
import {
  align8, arrowMagic, ArrowEnum, ArrowTypeTag, bufferCount, continuationMarker, MessageHeaderType, strataChecksumsKey,
  strataFormatKey, strataFormatVersion, strataFormatVersionsReadable, strataTypeKey, strataZonesKey,
  type BodyBuffer, type FieldNode, type PartitionChecksums, type PartitionColumn, type PhysicalType,
} from './partition-format.js';
import { parseColumnEncoding, strataEncodingKey } from './encoding-spec.js';
import { decodeZones, type ZoneStats } from './partition-zones.js';
import type { Store } from './store.js';
import type { PartitionMeta } from './table-types.js';
import type { DataType } from './types.js';

/** A byte range of a message body, relative to the body start. */
export interface BodyRange {
  readonly start: number;
  readonly end: number;
}

/** Metadata of one record batch or dictionary batch message. */
export interface MessageLayout {
  readonly rows: number;
  /** Absolute file offset of the message body. */
  readonly bodyOffset: number;
  readonly bodyLength: number;
  readonly nodes: readonly FieldNode[];
  readonly buffers: readonly BodyBuffer[];
  /** Whether buffers carry the ZSTD length prefix (false: raw, uncompressed body). */
  readonly compressed: boolean;
}

/** A record batch with the body range and crc32 of each column. */
export interface BatchLayout extends MessageLayout {
  /** Index of each column's first buffer. */
  readonly firstBuffer: readonly number[];
  readonly columnRanges: readonly BodyRange[];
  readonly crcs: readonly number[];
}

/** A dictionary batch with the crc32 of its body. */
export interface DictionaryLayout extends MessageLayout {
  readonly crc: number;
}

/** Everything the reader needs to know about a partition file. */
export interface PartitionLayout {
  readonly fileBytes: number;
  readonly columns: readonly PartitionColumn[];
  readonly batches: readonly BatchLayout[];
  readonly dictionaries: ReadonlyMap<number, DictionaryLayout>;
  /** Per record batch, per column: min, max and NULL count (null when unknown); null for files without zone maps. */
  readonly zones: readonly (readonly (ZoneStats | null)[])[] | null;
}

/** Layouts kept in memory: each is a few KB, and scans revisit the same hot partitions. */
export const partitionLayoutCacheEntriesMax = 256;

/** Bytes read from the end of a file to find the footer in one request (most footers are smaller). */
export const footerTailBytes = 8 * 1024;

/** Message metadata blocks read at once when opening a file: hides store latency, bounds open handles. */
export const messageReadConcurrencyMax = 16;

const layoutCache = new Map<string, Promise<PartitionLayout>>();

/** The layout of the partition file `meta` describes (meta.path is a store path), cached. */
export function loadPartitionLayout(store: Store, meta: PartitionMeta): Promise<PartitionLayout> {
  const key = `${store.url}\u0000${meta.path}\u0000${meta.checksum}`;
  const cached = layoutCache.get(key);
  if (cached !== undefined) {
    layoutCache.delete(key);
    layoutCache.set(key, cached);
    return cached;
  }
  const loading = readLayout(store, meta);
  layoutCache.set(key, loading);
  loading.catch(() => layoutCache.delete(key));
  while (layoutCache.size > partitionLayoutCacheEntriesMax) layoutCache.delete(layoutCache.keys().next().value!);
  return loading;
}

/** A corruption error about partition `meta`. */
export function partitionCorrupt(meta: PartitionMeta, problem: string, cause?: unknown): StrataError {
  return new StrataError('corruption', 'PARTITION_CORRUPT',
    `partition ${meta.id} (${meta.path}) is corrupt: ${problem}; restore it from a backup or replica`,
    { partition: meta.id, path: meta.path }, cause === undefined ? undefined : { cause });
}

async function readLayout(store: Store, meta: PartitionMeta): Promise<PartitionLayout> {
  const fileBytes = meta.bytes;
  if (fileBytes < 8 + 8 + 10) throw partitionCorrupt(meta, `the recorded size ${fileBytes} is too small for an Arrow file`);
  const tailLength = Math.min(fileBytes, footerTailBytes);
  const [head, tail] = await Promise.all([
    store.readRange(meta.path, 0, 8),
    store.readRange(meta.path, fileBytes - tailLength, tailLength),
  ]);
  if (tail.length < tailLength) throw partitionCorrupt(meta, `the file is shorter than the ${fileBytes} bytes its metadata records`);
  if (!hasMagic(head, 0) || !hasMagic(tail, tail.length - 6)) throw partitionCorrupt(meta, 'the ARROW1 magic is missing at the start or end');
  const footerLength = new DataView(tail.buffer, tail.byteOffset, tail.byteLength).getInt32(tail.length - 10, true);
  if (footerLength <= 0 || footerLength + 10 + 8 > fileBytes) throw partitionCorrupt(meta, `the footer length ${footerLength} does not fit the file`);
  const footerBytes = footerLength + 10 <= tail.length
    ? tail.subarray(tail.length - 10 - footerLength, tail.length - 10)
    : await store.readRange(meta.path, fileBytes - 10 - footerLength, footerLength);
  try {
    return await parseLayout(store, meta, footerBytes);
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw partitionCorrupt(meta, `its metadata does not parse (${error instanceof Error ? error.message : String(error)})`, error);
  }
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  if (at < 0 || at + arrowMagic.length > bytes.length) return false;
  for (let i = 0; i < arrowMagic.length; i++) if (bytes[at + i] !== arrowMagic[i]) return false;
  return true;
}

interface Block {
  readonly offset: number;
  readonly metaDataLength: number;
  readonly bodyLength: number;
}

async function parseLayout(store: Store, meta: PartitionMeta, footerBytes: Uint8Array): Promise<PartitionLayout> {
  const reader = new FlatReader(footerBytes);
  const footer = reader.root();
  const schema = reader.table(footer, 1);
  if (schema === null) throw partitionCorrupt(meta, 'the footer has no schema');
  const { columns, checksums, zonesText } = parseSchema(reader, schema, meta);
  const dictionaryBlocks = readBlocks(reader, footer, 2);
  const batchBlocks = readBlocks(reader, footer, 3);
  if (checksums.batches.length !== batchBlocks.length) throw partitionCorrupt(meta, 'the checksums do not match the record batches');
  for (const block of [...dictionaryBlocks, ...batchBlocks]) {
    if (block.offset < 8 || block.offset + block.metaDataLength + block.bodyLength > meta.bytes) {
      throw partitionCorrupt(meta, `a message block at ${block.offset} runs past the end of the file`);
    }
  }
  const messages = await mapBounded([...dictionaryBlocks, ...batchBlocks], messageReadConcurrencyMax, (block) => readMessage(store, meta, block));
  const dictionaries = new Map<number, DictionaryLayout>();
  messages.slice(0, dictionaryBlocks.length).forEach((message) => {
    if (message.type !== MessageHeaderType.dictionaryBatch) throw partitionCorrupt(meta, 'a dictionary block is not a dictionary batch');
    const crc = checksums.dictionaries[String(message.dictionaryId)];
    if (crc === undefined) throw partitionCorrupt(meta, `dictionary ${message.dictionaryId} has no checksum`);
    dictionaries.set(message.dictionaryId, { ...message.layout, crc });
  });
  const batches = messages.slice(dictionaryBlocks.length).map((message, index) => {
    if (message.type !== MessageHeaderType.recordBatch) throw partitionCorrupt(meta, 'a record batch block is not a record batch');
    return batchLayout(meta, columns, message.layout, checksums.batches[index]);
  });
  const zones = zonesText === undefined ? null : decodeZones(zonesText, batches.length, columns.length);
  return { fileBytes: meta.bytes, columns, batches, dictionaries, zones };
}

function readBlocks(reader: FlatReader, footer: number, field: number): Block[] {
  const { count, start } = reader.vector(footer, field);
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + 24 * i;
    blocks.push({ offset: reader.int64At(at), metaDataLength: reader.int32At(at + 8), bodyLength: reader.int64At(at + 16) });
  }
  return blocks;
}

function parseSchema(reader: FlatReader, schema: number, meta: PartitionMeta): { columns: PartitionColumn[]; checksums: PartitionChecksums; zonesText: string | undefined } {
  const metadata = keyValues(reader, schema, 2);
  const format = metadata.get(strataFormatKey);
  if (format === undefined || !strataFormatVersionsReadable.includes(format)) {
    throw new StrataError('not_supported', 'PARTITION_FORMAT_UNSUPPORTED',
      `partition ${meta.id} (${meta.path}) has strata format '${format ?? 'none'}'; this version reads formats ${strataFormatVersionsReadable.join(', ')}: upgrade strata`,
      { partition: meta.id, path: meta.path });
  }
  const checksumsText = metadata.get(strataChecksumsKey);
  if (checksumsText === undefined) throw partitionCorrupt(meta, 'the schema has no strata.checksums');
  const checksums = JSON.parse(checksumsText) as PartitionChecksums;
  const columns = reader.tables(schema, 1).map((field) => parseField(reader, field, meta, format !== strataFormatVersion));
  return { columns, checksums, zonesText: metadata.get(strataZonesKey) };
}

function keyValues(reader: FlatReader, table: number, field: number): Map<string, string> {
  const entries = new Map<string, string>();
  for (const entry of reader.tables(table, field)) entries.set(reader.string(entry, 0) ?? '', reader.string(entry, 1) ?? '');
  return entries;
}

function parseField(reader: FlatReader, field: number, meta: PartitionMeta, encodingsAllowed: boolean): PartitionColumn {
  const name = reader.string(field, 0) ?? '';
  const fieldMetadata = keyValues(reader, field, 6);
  const typeText = fieldMetadata.get(strataTypeKey);
  if (typeText === undefined) throw partitionCorrupt(meta, `column '${name}' has no strata.type`);
  const type = JSON.parse(typeText) as DataType;
  const typeTable = reader.table(field, 3);
  if (typeTable === null) throw partitionCorrupt(meta, `column '${name}' has no Arrow type`);
  const physical = parsePhysical(reader, reader.uint8(field, 2, 0), typeTable, reader.table(field, 4));
  if (physical === null) {
    throw new StrataError('not_supported', 'PARTITION_FORMAT_UNSUPPORTED',
      `partition ${meta.id} (${meta.path}): column '${name}' has an Arrow type strata does not read`, { partition: meta.id, path: meta.path });
  }
  const column: PartitionColumn = { name, type, nullable: reader.bool(field, 1, false), physical };
  const encodingText = fieldMetadata.get(strataEncodingKey);
  if (encodingText === undefined) return column;
  if (!encodingsAllowed) throw partitionCorrupt(meta, `column '${name}' is encoded in a file of plain format ${strataFormatVersion}`);
  return { ...column, encoding: parseColumnEncoding(encodingText, `partition ${meta.id} (${meta.path}), column '${name}'`) };
}

function parsePhysical(reader: FlatReader, tag: number, typeTable: number, dictionary: number | null): PhysicalType | null {
  if (dictionary !== null) {
    const indexType = reader.table(dictionary, 1);
    const bitWidth = indexType === null ? 32 : reader.int32(indexType, 0, 32);
    const signed = indexType === null || reader.bool(indexType, 1, false);
    if (tag !== ArrowTypeTag.utf8 || (bitWidth !== 8 && bitWidth !== 16 && bitWidth !== 32) || (!signed && bitWidth === 32)) return null;
    const dictionaryId = reader.int64(dictionary, 0, 0);
    return signed ? { kind: 'dictionary', indexBitWidth: bitWidth, dictionaryId } : { kind: 'dictionary', indexBitWidth: bitWidth, dictionaryId, indexUnsigned: true };
  }
  switch (tag) {
    case ArrowTypeTag.int: {
      const bitWidth = reader.int32(typeTable, 0, 0);
      const signed = reader.bool(typeTable, 1, false);
      if (bitWidth !== 8 && bitWidth !== 16 && bitWidth !== 32 && bitWidth !== 64) return null;
      return signed ? { kind: 'int', bitWidth } : { kind: 'int', bitWidth, unsigned: true };
    }
    case ArrowTypeTag.binary: return { kind: 'binary' };
    case ArrowTypeTag.floatingPoint: return reader.int16(typeTable, 0, 0) === ArrowEnum.precisionDouble ? { kind: 'float64' } : null;
    case ArrowTypeTag.utf8: return { kind: 'utf8' };
    case ArrowTypeTag.bool: return { kind: 'bool' };
    case ArrowTypeTag.date: return reader.int16(typeTable, 0, 1) === ArrowEnum.dateUnitDay ? { kind: 'date32' } : null;
    case ArrowTypeTag.timestamp: return reader.int16(typeTable, 0, 0) === ArrowEnum.timeUnitMicrosecond ? { kind: 'timestamp-us' } : null;
    default: return null;
  }
}

interface ParsedMessage {
  readonly type: number;
  readonly dictionaryId: number;
  readonly layout: MessageLayout;
}

async function readMessage(store: Store, meta: PartitionMeta, block: Block): Promise<ParsedMessage> {
  const bytes = await store.readRange(meta.path, block.offset, block.metaDataLength);
  if (bytes.length < block.metaDataLength || block.metaDataLength < 8) throw partitionCorrupt(meta, `the message at ${block.offset} is truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== continuationMarker) throw partitionCorrupt(meta, `the message at ${block.offset} has no continuation marker`);
  const reader = new FlatReader(bytes.subarray(8, 8 + view.getInt32(4, true)));
  const message = reader.root();
  const type = reader.uint8(message, 1, 0);
  let header = reader.table(message, 2);
  if (header === null) throw partitionCorrupt(meta, `the message at ${block.offset} has no header`);
  let dictionaryId = -1;
  if (type === MessageHeaderType.dictionaryBatch) {
    dictionaryId = reader.int64(header, 0, 0);
    header = reader.table(header, 1);
    if (header === null) throw partitionCorrupt(meta, `dictionary ${dictionaryId} has no data`);
  }
  if (reader.int64(message, 3, 0) !== block.bodyLength) throw partitionCorrupt(meta, `the message at ${block.offset} disagrees with the footer on its body length`);
  return { type, dictionaryId, layout: parseRecordBatch(reader, header, block, meta) };
}

function parseRecordBatch(reader: FlatReader, header: number, block: Block, meta: PartitionMeta): MessageLayout {
  const nodes: FieldNode[] = [];
  const nodeVector = reader.vector(header, 1);
  for (let i = 0; i < nodeVector.count; i++) {
    nodes.push({ length: reader.int64At(nodeVector.start + 16 * i), nullCount: reader.int64At(nodeVector.start + 16 * i + 8) });
  }
  const buffers: BodyBuffer[] = [];
  const bufferVector = reader.vector(header, 2);
  for (let i = 0; i < bufferVector.count; i++) {
    const buffer = { offset: reader.int64At(bufferVector.start + 16 * i), length: reader.int64At(bufferVector.start + 16 * i + 8) };
    if (buffer.offset < 0 || buffer.length < 0 || buffer.offset + buffer.length > block.bodyLength) {
      throw partitionCorrupt(meta, `a buffer of the message at ${block.offset} lies outside its body`);
    }
    buffers.push(buffer);
  }
  const compression = reader.table(header, 3);
  if (compression !== null && reader.uint8(compression, 0, 0) !== ArrowEnum.compressionZstd) {
    throw new StrataError('not_supported', 'PARTITION_FORMAT_UNSUPPORTED',
      `partition ${meta.id} (${meta.path}) uses a body compression other than ZSTD`, { partition: meta.id, path: meta.path });
  }
  return {
    rows: reader.int64(header, 0, 0),
    bodyOffset: block.offset + block.metaDataLength,
    bodyLength: block.bodyLength,
    nodes,
    buffers,
    compressed: compression !== null,
  };
}

function batchLayout(meta: PartitionMeta, columns: readonly PartitionColumn[], layout: MessageLayout, crcs: readonly number[] | undefined): BatchLayout {
  const expectedBuffers = columns.reduce((sum, column) => sum + bufferCount(column.physical), 0);
  if (layout.nodes.length !== columns.length || layout.buffers.length !== expectedBuffers || crcs?.length !== columns.length) {
    throw partitionCorrupt(meta, 'a record batch does not match the schema');
  }
  const firstBuffer: number[] = [];
  const columnRanges: BodyRange[] = [];
  let next = 0;
  for (const column of columns) {
    const count = bufferCount(column.physical);
    firstBuffer.push(next);
    let end = layout.buffers[next].offset;
    for (let i = next; i < next + count; i++) end = Math.max(end, align8(layout.buffers[i].offset + layout.buffers[i].length));
    columnRanges.push({ start: layout.buffers[next].offset, end: Math.min(end, layout.bodyLength) });
    next += count;
  }
  return { ...layout, firstBuffer, columnRanges, crcs };
}

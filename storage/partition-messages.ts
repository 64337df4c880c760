/**
 * Encoding of the Arrow IPC metadata of a partition file: Schema, DictionaryBatch and
 * RecordBatch messages and the file Footer, as FlatBuffers (Schema.fbs, Message.fbs, File.fbs).
 */
import { strataEncodingKey } from './encoding-spec.js';
import { encodeFlatBuffer, flat, type FlatTable } from './flatbuffer-writer.js';
import {
  ArrowEnum, ArrowTypeTag, continuationMarker, metadataVersionV5, strataTypeKey,
  type BodyBuffer, type FieldNode, type PartitionColumn, type PhysicalType,
} from './partition-format.js';

/** Where a message sits in the file (Arrow Block): metaDataLength includes the 8-byte prefix. */
export interface FileBlock {
  readonly offset: number;
  readonly metaDataLength: number;
  readonly bodyLength: number;
}

function keyValues(entries: readonly (readonly [string, string])[]): FlatTable[] {
  return entries.map(([key, value]) => flat.table(flat.string(key), flat.string(value)));
}

function intType(bitWidth: number, signed = true): FlatTable {
  return flat.table(flat.int32(bitWidth), flat.bool(signed));
}

function arrowType(physical: PhysicalType): { tag: number; table: FlatTable } {
  switch (physical.kind) {
    case 'int': return { tag: ArrowTypeTag.int, table: intType(physical.bitWidth, physical.unsigned !== true) };
    case 'float64': return { tag: ArrowTypeTag.floatingPoint, table: flat.table(flat.int16(ArrowEnum.precisionDouble)) };
    case 'bool': return { tag: ArrowTypeTag.bool, table: flat.table() };
    case 'date32': return { tag: ArrowTypeTag.date, table: flat.table(flat.int16(ArrowEnum.dateUnitDay)) };
    case 'timestamp-us': return { tag: ArrowTypeTag.timestamp, table: flat.table(flat.int16(ArrowEnum.timeUnitMicrosecond), null) };
    case 'binary': return { tag: ArrowTypeTag.binary, table: flat.table() };
    case 'utf8':
    case 'dictionary': return { tag: ArrowTypeTag.utf8, table: flat.table() };
  }
}

function fieldTable(column: PartitionColumn): FlatTable {
  const { tag, table } = arrowType(column.physical);
  const dictionary = column.physical.kind === 'dictionary'
    ? flat.child(flat.table(flat.int64(column.physical.dictionaryId),
      flat.child(intType(column.physical.indexBitWidth, column.physical.indexUnsigned !== true)), flat.bool(false), flat.int16(0)))
    : null;
  const metadata: [string, string][] = [[strataTypeKey, JSON.stringify(column.type)]];
  if (column.encoding !== undefined) metadata.push([strataEncodingKey, JSON.stringify(column.encoding)]);
  return flat.table(
    flat.string(column.name),
    flat.bool(column.nullable),
    flat.uint8(tag),
    flat.child(table),
    dictionary,
    flat.tables([]),
    flat.tables(keyValues(metadata)),
  );
}

/** The Arrow Schema table of a partition. */
export function schemaTable(columns: readonly PartitionColumn[], metadata: readonly (readonly [string, string])[]): FlatTable {
  return flat.table(flat.int16(ArrowEnum.endiannessLittle), flat.tables(columns.map(fieldTable)), flat.tables(keyValues(metadata)));
}

function int64Words(words: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words.length; i++) view.setBigInt64(i * 8, BigInt(words[i]), true);
  return bytes;
}

/** The Arrow RecordBatch table (ZSTD body compression) for `rows` rows. */
export function recordBatchTable(rows: number, nodes: readonly FieldNode[], buffers: readonly BodyBuffer[]): FlatTable {
  const nodeWords = nodes.flatMap((node) => [node.length, node.nullCount]);
  const bufferWords = buffers.flatMap((buffer) => [buffer.offset, buffer.length]);
  const compression = flat.table(flat.int8(ArrowEnum.compressionZstd), flat.int8(ArrowEnum.bodyCompressionBuffer));
  return flat.table(
    flat.int64(rows),
    flat.structs(nodes.length, int64Words(nodeWords)),
    flat.structs(buffers.length, int64Words(bufferWords)),
    flat.child(compression),
  );
}

/** The Arrow DictionaryBatch table holding dictionary `id`. */
export function dictionaryBatchTable(id: number, data: FlatTable): FlatTable {
  return flat.table(flat.int64(id), flat.child(data), flat.bool(false));
}

/**
 * An encapsulated message: continuation marker, metadata size, Message FlatBuffer padded so the
 * body that follows starts 8-byte aligned.
 */
export function encodeMessage(headerType: number, header: FlatTable, bodyLength: number): Uint8Array {
  const message = encodeFlatBuffer(flat.table(
    flat.int16(metadataVersionV5), flat.uint8(headerType), flat.child(header), flat.int64(bodyLength), null,
  ));
  const framed = new Uint8Array(8 + message.length);
  const view = new DataView(framed.buffer);
  view.setUint32(0, continuationMarker, true);
  view.setInt32(4, message.length, true);
  framed.set(message, 8);
  return framed;
}

/** The end-of-stream marker that closes the stream part of the file. */
export function endOfStreamMarker(): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, continuationMarker, true);
  return bytes;
}

function blockBytes(blocks: readonly FileBlock[]): Uint8Array {
  const bytes = new Uint8Array(blocks.length * 24);
  const view = new DataView(bytes.buffer);
  blocks.forEach((block, i) => {
    view.setBigInt64(i * 24, BigInt(block.offset), true);
    view.setInt32(i * 24 + 8, block.metaDataLength, true);
    view.setBigInt64(i * 24 + 16, BigInt(block.bodyLength), true);
  });
  return bytes;
}

/** The file Footer FlatBuffer. */
export function encodeFooter(schema: FlatTable, dictionaries: readonly FileBlock[], recordBatches: readonly FileBlock[]): Uint8Array {
  return encodeFlatBuffer(flat.table(
    flat.int16(metadataVersionV5),
    flat.child(schema),
    flat.structs(dictionaries.length, blockBytes(dictionaries)),
    flat.structs(recordBatches.length, blockBytes(recordBatches)),
  ));
}

/**
 * Reads a partition column-wise: only the byte ranges of the requested columns' buffers are
 * fetched (ranges a small gap apart in one request), each column's crc32 is checked, buffers are
 * decompressed and turned straight into vectors. The next few batches are fetched while the
 * caller works on the current one, which hides store latency (HDFS) without unbounded read-ahead.
 */
import { crc32 } from './checksum.js';
import { StrataError } from './errors.js';
import { decodable, decodeColumn, decodeUtf8, uninitializedBytes } from './partition-column-decoder.js';
import { loadPartitionLayout, partitionCorrupt, type BatchLayout, type BodyRange, type MessageLayout, type PartitionLayout } from './partition-footer.js';
import { bufferCount, compressedLengthPrefixBytes } from './partition-format.js';
import type { IntegerEncoding } from './encoding-spec.js';
import type { BatchFilter } from './partition-zones.js';
import type { Store } from './store.js';
import type { PartitionMeta } from './table-types.js';
import { sameType, typeToSql, type Schema } from './types.js';
import type { Batch, NumericVector, Vector } from './vector.js';
import { zstdDecompress, zstdDecompressInto } from './zstd-codec.js';

/** Bytes of one column's range in one batch, keyed by column position. */
type ColumnBytes = Map<number, Uint8Array>;

/** One batch's fetched column bytes and the pooled read buffers they live in (released once the batch is decoded). */
interface FetchedBatch {
  readonly bytes: ColumnBytes;
  readonly held: readonly Uint8Array[];
}

/**
 * Batches of the partition `meta` (meta.path is a store path) holding exactly the columns at
 * `columns` (positions in `schema`, in that order). Checks crc32s and the schema on the way.
 * `batchFilter`, given each record batch's zone map, skips the batches it returns false for
 * without reading them (files without zone maps read every batch).
 */
export async function* readPartition(store: Store, meta: PartitionMeta, schema: Schema, columns: readonly number[], signal?: AbortSignal,
  batchFilter?: BatchFilter): AsyncIterable<Batch> {
  checkCancelled(signal, meta);
  const layout = await loadPartitionLayout(store, meta);
  checkSchema(meta, layout, schema, columns);
  const wanted = withReferences(layout, columns);
  checkReferences(meta, layout, schema, wanted);
  const selected = selectBatches(layout, batchFilter);
  if (selected.length === 0) return;
  const reader = await openRangeReader(store, meta);
  const inFlight = new Set<Promise<unknown>>();
  try {
    yield* decodeSelected({ reader, meta, layout, schema, columns, wanted, selected, signal, inFlight });
  } finally {
    // Reads still in flight (the consumer left or a batch failed) settle before the handle closes.
    await Promise.allSettled(inFlight);
    await reader.close();
  }
}

/** Reads `length` bytes from `offset` of the partition being scanned (into `target` when the store can). */
type ReadRange = (offset: number, length: number, target?: Uint8Array) => Promise<Uint8Array>;

/** One open partition file: the store's reader when it has one, else readRange per call. */
async function openRangeReader(store: Store, meta: PartitionMeta): Promise<{ readRange: ReadRange; close: () => Promise<void> }> {
  if (store.openReader === undefined) return { readRange: (offset, length) => store.readRange(meta.path, offset, length), close: async () => undefined };
  const reader = await store.openReader(meta.path);
  return { readRange: (offset, length, target) => reader.readRange(offset, length, target), close: () => reader.close() };
}

/** What decoding the selected batches of one scan needs. */
interface ScanState {
  readonly reader: { readRange: ReadRange };
  readonly meta: PartitionMeta;
  readonly layout: PartitionLayout;
  readonly schema: Schema;
  readonly columns: readonly number[];
  readonly wanted: readonly number[];
  readonly selected: readonly number[];
  readonly signal: AbortSignal | undefined;
  /** Fetches started and not yet consumed, kept by the caller so it can wait for them before closing. */
  readonly inFlight: Set<Promise<unknown>>;
}

/** Tracks `pending` in `inFlight` until it settles (which also keeps an abandoned read's rejection quiet). */
function track<T>(inFlight: Set<Promise<unknown>>, pending: Promise<T>): Promise<T> {
  inFlight.add(pending);
  const settle = (): void => {
    inFlight.delete(pending);
  };
  pending.then(settle, settle);
  return pending;
}

async function* decodeSelected(state: ScanState): AsyncIterable<Batch> {
  const { reader, meta, layout, schema, columns, wanted, selected, signal, inFlight } = state;
  const scratch = new ScratchBuffers();
  const readBuffers = new ReadBuffers();
  const dictionaries = new Map<number, Promise<string[]>>();
  const dictionaryOf = (column: number): Promise<string[]> => {
    let loading = dictionaries.get(column);
    if (loading === undefined) {
      loading = track(inFlight, readDictionary(reader.readRange, meta, layout, column));
      dictionaries.set(column, loading);
    }
    return loading;
  };
  // A window of fetches in flight: decode of batch k overlaps the reads of the next few.
  const fetches: Promise<FetchedBatch>[] = [];
  let fetched = 0;
  for (let position = 0; position < selected.length; position++) {
    while (fetched < selected.length && fetched < position + readAheadBatchesMax) {
      const batch = layout.batches[selected[fetched]];
      fetches.push(track(inFlight, fetchColumns({ readRange: reader.readRange, readBuffers, meta, layout }, batch, selected[fetched], wanted)));
      fetched += 1;
    }
    const { bytes, held } = await fetches.shift()!;
    checkCancelled(signal, meta);
    const decoded = await decodeBatch({ meta, layout, index: selected[position], bytes, schema, dictionaryOf, scratch, decoded: new Map() }, columns);
    // The decoded vectors hold no view of the read buffers (decodeStoredColumn copies what it keeps).
    for (const buffer of held) readBuffers.release(buffer);
    yield decoded;
  }
}

/**
 * Record batches fetched ahead of the one being decoded. Each local read is a thread-pool
 * round trip on the scan's open file and an HDFS read a network round trip; three in flight keep
 * the decoder fed while bounding memory to about three batches of the projected columns.
 */
export const readAheadBatchesMax = 3;

/**
 * Largest gap between two wanted column ranges of a batch that is read through rather than split
 * into two requests: a request costs more than reading a few hundred KiB extra (from page cache
 * or over HDFS), while the big text columns (comments, messages) still get skipped.
 */
export const readGapBytesMax = 256 * 1024;

/** Positions of the batches to read: all of them, or those the filter keeps given their zone maps. */
function selectBatches(layout: PartitionLayout, batchFilter: BatchFilter | undefined): number[] {
  const selected: number[] = [];
  for (let index = 0; index < layout.batches.length; index++) {
    const zones = layout.zones?.[index];
    if (batchFilter === undefined || zones === undefined || batchFilter({ index, rows: layout.batches[index].rows, columns: zones })) selected.push(index);
  }
  return selected;
}

function checkCancelled(signal: AbortSignal | undefined, meta: PartitionMeta): void {
  if (signal?.aborted) {
    throw new StrataError('cancelled', 'PARTITION_READ_CANCELLED', `reading partition ${meta.id} was cancelled`, { partition: meta.id });
  }
}

function checkSchema(meta: PartitionMeta, layout: PartitionLayout, schema: Schema, columns: readonly number[]): void {
  if (layout.columns.length !== schema.fields.length) {
    throw new StrataError('corruption', 'PARTITION_SCHEMA_MISMATCH',
      `partition ${meta.id} (${meta.path}) has ${layout.columns.length} columns but the table has ${schema.fields.length}; the log references a file of another table`,
      { partition: meta.id, path: meta.path });
  }
  for (const column of columns) {
    const field = schema.fields[column];
    if (field === undefined) {
      throw new StrataError('internal', 'ASSERTION_FAILED', `assertion failed: column position ${column} is outside a table of ${schema.fields.length} columns`);
    }
    const stored = layout.columns[column];
    if (!sameType(stored.type, field.type) || !decodable(stored, field.type)) {
      throw new StrataError('corruption', 'PARTITION_SCHEMA_MISMATCH',
        `partition ${meta.id} (${meta.path}): column '${field.name}' is stored as ${typeToSql(stored.type)} (${stored.physical.kind}) but the table says ${typeToSql(field.type)}`,
        { partition: meta.id, path: meta.path });
    }
  }
}

/**
 * Checks the reference columns among `wanted`: decodable as the table's type, in range, and not
 * encoded against a reference themselves (strata writes no chains, so a chain means damage).
 */
function checkReferences(meta: PartitionMeta, layout: PartitionLayout, schema: Schema, wanted: readonly number[]): void {
  for (const column of wanted) {
    const reference = referenceOf(layout, column);
    if (reference === undefined) continue;
    const source = layout.columns[reference];
    if (source === undefined || reference >= column || referenceOf(layout, reference) !== undefined || source.physical.kind === 'dictionary'
      || !sameType(source.type, layout.columns[column].type)) {
      throw partitionCorrupt(meta, `column '${layout.columns[column].name}' names an unusable reference column ${reference}`);
    }
  }
  checkSchema(meta, layout, schema, wanted);
}

/** Where fetchColumns reads from and into. */
interface FetchSource {
  readonly readRange: ReadRange;
  readonly readBuffers: ReadBuffers;
  readonly meta: PartitionMeta;
  readonly layout: PartitionLayout;
}

/** Reads the ranges of `wanted` columns of one batch, coalescing ranges at most readGapBytesMax apart into one request. */
async function fetchColumns(source: FetchSource, batch: BatchLayout, index: number, wanted: readonly number[]): Promise<FetchedBatch> {
  const { readRange, readBuffers, meta, layout } = source;
  const groups: { range: BodyRange; columns: number[] }[] = [];
  for (const column of [...wanted].sort((a, b) => batch.columnRanges[a].start - batch.columnRanges[b].start)) {
    const range = batch.columnRanges[column];
    const last = groups[groups.length - 1];
    if (last !== undefined && range.start >= last.range.end && range.start - last.range.end <= readGapBytesMax) {
      last.range = { start: last.range.start, end: range.end };
      last.columns.push(column);
    } else {
      groups.push({ range, columns: [column] });
    }
  }
  const result: ColumnBytes = new Map();
  const held = groups.map(({ range }) => readBuffers.take(range.end - range.start));
  await Promise.all(groups.map(async ({ range, columns }, group) => {
    const bytes = await readExactly(readRange, meta, batch.bodyOffset + range.start, range.end - range.start, held[group]);
    for (const column of columns) {
      const own = batch.columnRanges[column];
      const slice = bytes.subarray(own.start - range.start, own.end - range.start);
      if (crc32(slice) !== batch.crcs[column]) throw checksumMismatch(meta, layout.columns[column].name, `batch ${index}`);
      result.set(column, slice);
    }
  }));
  return { bytes: result, held };
}

async function readExactly(readRange: ReadRange, meta: PartitionMeta, offset: number, length: number, target?: Uint8Array): Promise<Uint8Array> {
  const bytes = await readRange(offset, length, target);
  if (bytes.length < length) throw partitionCorrupt(meta, `the file ends before byte ${offset + length}`);
  return bytes;
}

function checksumMismatch(meta: PartitionMeta, column: string, where: string): StrataError {
  return new StrataError('corruption', 'PARTITION_CHECKSUM_MISMATCH',
    `partition ${meta.id} (${meta.path}): column '${column}' ${where} fails its crc32 check; restore the partition from a backup or replica`,
    { partition: meta.id, path: meta.path, columnName: column, where });
}

/** The strings of a dictionary-encoded column (one dictionary batch per column and file). */
async function readDictionary(readRange: ReadRange, meta: PartitionMeta, layout: PartitionLayout, column: number): Promise<string[]> {
  const physical = layout.columns[column].physical;
  const dictionary = physical.kind === 'dictionary' ? layout.dictionaries.get(physical.dictionaryId) : undefined;
  const name = layout.columns[column].name;
  if (dictionary === undefined || dictionary.buffers.length !== 3) throw partitionCorrupt(meta, `column '${name}' has no dictionary`);
  const body = await readExactly(readRange, meta, dictionary.bodyOffset, dictionary.bodyLength);
  if (crc32(body) !== dictionary.crc) throw checksumMismatch(meta, name, 'dictionary');
  const where = `partition ${meta.id} (${meta.path}), column '${name}', dictionary`;
  const buffers = [1, 2].map((i) => decompressBuffer(body, dictionary, i, 0, where));
  const strings = decodeUtf8(buffers[0], buffers[1], dictionary.rows, where);
  // Bit-packed codes come with a dictionary padded to 256 entries; only the first ones are real.
  const entries = layout.columns[column].encoding?.kind === 'integers' ? (layout.columns[column].encoding as IntegerEncoding).dictionaryEntries : undefined;
  if (entries !== undefined && entries > strings.length) throw partitionCorrupt(meta, `column '${name}' has a dictionary of ${strings.length} entries, expected ${entries}`);
  return entries === undefined ? strings : strings.slice(0, entries);
}

/**
 * Buffer `index` of a message, given `bytes` holding its body from body offset `start`.
 * `destination`, when given, supplies the array to decompress into (else zstd allocates one).
 */
function decompressBuffer(bytes: Uint8Array, message: MessageLayout, index: number, start: number, where: string,
  destination?: (bytes: number) => Uint8Array): Uint8Array {
  const { offset, length } = message.buffers[index];
  const stored = bytes.subarray(offset - start, offset - start + length);
  if (length === 0 || !message.compressed) return stored;
  if (length < compressedLengthPrefixBytes) throw new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: a compressed buffer is shorter than its length prefix`);
  const uncompressed = Number(new DataView(stored.buffer, stored.byteOffset, 8).getBigInt64(0, true));
  const payload = stored.subarray(compressedLengthPrefixBytes);
  if (uncompressed === -1) return payload;
  if (destination === undefined) return zstdDecompress(payload, uncompressed, where);
  if (!(uncompressed >= 0 && uncompressed <= bufferBytesMax)) {
    throw new StrataError('corruption', 'PARTITION_CORRUPT', `${where}: a buffer claims ${uncompressed} uncompressed bytes; restore the partition from a backup`);
  }
  const target = destination(uncompressed);
  zstdDecompressInto(payload, target, where);
  return target;
}

/** Largest uncompressed buffer a reader accepts: a record batch's column is far smaller; more means a damaged length prefix. */
const bufferBytesMax = 2 ** 31 - 1;

/**
 * Decompression buffers one scan reuses for every batch, one per buffer slot of a column
 * (validity, offsets or values, data). Only bytes the decoder copies out (widened integers,
 * codes, bitmaps, strings) land here; bytes kept as a vector's values get their own array.
 */
class ScratchBuffers {
  private readonly slots: Uint8Array[] = [];

  /** `bytes` bytes of slot `slot`, valid until the slot is taken again. */
  take(slot: number, bytes: number): Uint8Array {
    let buffer = this.slots[slot];
    if (buffer === undefined || buffer.length < bytes) {
      buffer = new Uint8Array(Math.max(bytes, 2 * (buffer?.length ?? 0)));
      this.slots[slot] = buffer;
    }
    return buffer.subarray(0, bytes);
  }
}

/**
 * Read buffers one scan reuses: a batch's compressed bytes are dead once it is decoded, and a
 * fresh half-megabyte array per batch and column group costs allocation and, above all, garbage
 * collections driven by external memory. At most readAheadBatchesMax + 1 batches hold buffers.
 */
class ReadBuffers {
  private readonly free: Uint8Array[] = [];

  /** A buffer of at least `bytes` bytes, owned by the caller until released. */
  take(bytes: number): Uint8Array {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].length >= bytes) return this.free.splice(i, 1)[0];
    }
    // Headroom so the next batch's slightly larger range still fits.
    return new Uint8Array(Math.ceil(bytes * 1.25) + 4096);
  }

  /** Gives a buffer back; the pool keeps a bounded number (the rest are left to the collector). */
  release(buffer: Uint8Array): void {
    if (this.free.length < readBuffersPooledMax) this.free.push(buffer);
  }
}

/** Read buffers a scan keeps for reuse: a few per batch in flight. */
const readBuffersPooledMax = 4 * (readAheadBatchesMax + 1);

/** True when buffer `index` of a column becomes the vector's values as it is (no copy), so it needs its own array. */
function keptAsIs(column: PartitionLayout['columns'][number], index: number): boolean {
  return index === 1 && column.encoding === undefined && (column.physical.kind === 'float64' || column.physical.kind === 'date32');
}

/** What decoding one batch needs: where its bytes are and how to get dictionaries. */
interface BatchContext {
  readonly meta: PartitionMeta;
  readonly layout: PartitionLayout;
  readonly index: number;
  readonly bytes: ColumnBytes;
  readonly schema: Schema;
  readonly dictionaryOf: (column: number) => Promise<string[]>;
  readonly scratch: ScratchBuffers;
  /** Vectors decoded so far in this batch: a reference column is decoded once for all its users. */
  readonly decoded: Map<number, Vector>;
}

async function decodeBatch(context: BatchContext, columns: readonly number[]): Promise<Batch> {
  const vectors: Vector[] = [];
  for (const column of columns) vectors.push(await decodeStoredColumn(context, column));
  return { length: context.layout.batches[context.index].rows, columns: vectors };
}

async function decodeStoredColumn(context: BatchContext, column: number): Promise<Vector> {
  const { meta, layout, index, bytes, schema } = context;
  const cached = context.decoded.get(column);
  if (cached !== undefined) return cached;
  const batch = layout.batches[index];
  const stored = layout.columns[column];
  const where = `partition ${meta.id} (${meta.path}), column '${stored.name}', batch ${index}`;
  const range = batch.columnRanges[column];
  const first = batch.firstBuffer[column];
  // The reference and the dictionary first: decoding the reference reuses the scratch buffers.
  const referenceColumn = referenceOf(layout, column);
  const reference = referenceColumn === undefined ? undefined : (await decodeStoredColumn(context, referenceColumn)) as NumericVector;
  const dictionary = stored.physical.kind === 'dictionary' ? await context.dictionaryOf(column) : null;
  const buffers: Uint8Array[] = [];
  for (let i = 0; i < bufferCount(stored.physical); i++) {
    const kept = keptAsIs(stored, i);
    // zstd fills the kept array entirely (checked), so it need not be zeroed first.
    const destination = kept ? (size: number) => new Uint8Array(uninitializedBytes(size)) : (size: number) => context.scratch.take(i, size);
    const columnBytes = bytes.get(column)!;
    const buffer = decompressBuffer(columnBytes, batch, first + i, range.start, where, destination);
    // A buffer stored uncompressed is a view of the pooled read buffer: copy what the vector keeps.
    buffers.push(kept && buffer.buffer === columnBytes.buffer ? buffer.slice() : buffer);
  }
  const node = batch.nodes[column];
  if (node.length !== batch.rows) throw partitionCorrupt(meta, `column '${stored.name}' batch ${index} has ${node.length} rows, the batch ${batch.rows}`);
  const vector = decodeColumn({
    column: stored, type: schema.fields[column].type, rows: batch.rows, batch: index, nullCount: node.nullCount, buffers, dictionary, where,
    reference: reference?.values as Int32Array | Float64Array | undefined,
  });
  context.decoded.set(column, vector);
  return vector;
}

/** The reference column of an encoded column, if it has one. */
function referenceOf(layout: PartitionLayout, column: number): number | undefined {
  const encoding = layout.columns[column].encoding;
  return encoding?.kind === 'integers' ? encoding.reference : undefined;
}

/** `columns` plus the reference columns they are encoded against, each once, sorted. */
function withReferences(layout: PartitionLayout, columns: readonly number[]): number[] {
  const needed = new Set(columns);
  for (const column of columns) {
    const reference = referenceOf(layout, column);
    if (reference !== undefined) needed.add(reference);
  }
  return [...needed].sort((a, b) => a - b);
}

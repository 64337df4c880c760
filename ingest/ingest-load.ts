/**
 * One load while it runs: stream every part (a whole file, or the records of a byte range of a
 * plain file) through its reader into partitions of partitionRowsTarget rows, write each
 * partition as it fills, and hand all of them to one target.commit at the end. Any failure
 * before that commit leaves the table as it was (written files become orphans that vacuum
 * removes).
 */
import { StrataError, type PartitionMeta, type Snapshot } from '../storage/index.js';
import { openByteSource } from './byte-source.js';
import { RangeByteSource, type ByteRange } from './byte-range.js';
import { CsvRecordReader } from './csv-record-reader.js';
import { cancelledError } from './ingest-errors.js';
import { fileFormat, freshTierEncodings, freshTierZstdLevel, type IngestOptions, type IngestSummary, type IngestTarget, type LoadSettings } from './ingest-options.js';
import { NdjsonRecordReader } from './ndjson-record-reader.js';
import { PartitionBuilder } from './partition-builder.js';
import { RangeLines } from './range-lines.js';
import type { RecordDeduplicator } from './record-dedup.js';
import { recordChunks } from './record-chunks.js';
import type { RecordReader } from './record-reader.js';
import { RejectsWriter } from './rejects-writer.js';
import { RowFailures } from './row-failures.js';

/** A piece of a load: a whole file, or the records that begin in a byte range of a plain file. */
export interface IngestPart {
  readonly file: string;
  /** Raw byte range of a plain file; absent for the whole file (the only choice for .gz/.zst). */
  readonly range?: ByteRange;
  /** Content hash the whole file had when the load was planned; a different one is INGEST_FILE_CHANGED. */
  readonly expectedHash?: string;
}

/** The bytes of one part and what reading them tells. */
interface PartSource {
  readonly bytesRead: number;
  chunks(): AsyncIterable<Buffer>;
}

/** Passes chunks through, adding their bytes to `counter.bytes` (decompressed input). */
async function* countedChunks(chunks: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    counter.bytes += chunk.length;
    yield chunk;
  }
}

/** The state of one load while it runs. */
export class Load {
  private readonly builder: PartitionBuilder;
  private readonly failures: RowFailures;
  private readonly rejects: RejectsWriter;
  private readonly added: PartitionMeta[] = [];
  private readonly loadHashes: string[] = [];
  private rows = 0;
  private bytesDone = 0;
  /** Decompressed bytes of the input read so far (bytesDone counts the parts done as stored). */
  private readonly text = { bytes: 0 };
  private bytesStored = 0;
  private version: number | null = null;
  /** True once a CSV part held a quoted field with a line break (byte ranges may cut such records). */
  quotedLineBreaks = false;

  constructor(
    private readonly table: IngestTarget,
    private readonly snapshot: Snapshot,
    private readonly settings: LoadSettings,
    private readonly options: IngestOptions,
    private readonly parts: readonly IngestPart[],
    private readonly bytesTotal: number,
    /** Drops records whose declared key the table or this load already holds; null without a key. */
    private readonly dedup: RecordDeduplicator | null = null,
  ) {
    this.builder = new PartitionBuilder(snapshot.schema, settings.batchRowsMax, settings.partitionRowsTarget);
    this.failures = new RowFailures(settings.policy);
    this.rejects = new RejectsWriter(settings.rejectsPath);
  }

  /** Reads every part, writes the partitions and commits. */
  async run(): Promise<void> {
    try {
      for (const part of this.parts) {
        const hash = await this.loadPart(part);
        if (part.expectedHash !== undefined && part.expectedHash !== hash) throw fileChanged(part.file);
        if (hash !== null) this.loadHashes.push(hash);
      }
      if (this.builder.partitionRows > 0) await this.writePartition();
    } finally {
      await this.rejects.close();
    }
    this.checkSignal();
    this.version = await this.commit();
  }

  /** Streams one part into the partition builder; returns the file's content hash (whole files only). */
  private async loadPart(part: IngestPart): Promise<string | null> {
    const readChunkBytes = this.settings.readChunkBytes;
    const whole = part.range === undefined ? await openByteSource(part.file, readChunkBytes) : null;
    const source: PartSource & { firstByte?: number } = whole ?? new RangeByteSource(part.file, part.range!, readChunkBytes);
    const atFileStart = part.range === undefined || part.range.start === 0;
    const reader = this.reader(part.file, atFileStart);
    const lines = new RangeLines(part.file, () => source.firstByte ?? 0, reader instanceof CsvRecordReader);
    const samplesBefore = this.failures.samples.length;
    const limits = { readChunkBytes, recordBytesMax: this.settings.recordBytesMax };
    this.checkSignal();
    try {
      for await (const data of recordChunks(countedChunks(source.chunks(), this.text), reader, limits, part.file, atFileStart)) {
        await this.take(reader, data);
        this.checkSignal();
        this.options.onProgress?.({ bytesRead: this.bytesDone + source.bytesRead, bytesTotal: this.bytesTotal, rows: this.rows });
      }
    } catch (error) {
      throw await lines.locate(error);
    } finally {
      if (reader instanceof CsvRecordReader && reader.quotedLineBreaks) this.quotedLineBreaks = true;
    }
    await lines.locateAll(this.failures.samples, samplesBefore);
    this.bytesDone += source.bytesRead;
    return whole === null ? null : whole.digest();
  }

  /** The reader of a file's format; a range that starts mid-file has no header to skip. */
  private reader(path: string, atFileStart: boolean): RecordReader {
    const format = fileFormat(path, this.options);
    const schema = this.snapshot.schema;
    if (format.format === 'ndjson') return new NdjsonRecordReader(schema, path);
    return new CsvRecordReader(schema, path, atFileStart ? format : { ...format, header: false });
  }

  /** Converts the records of the reader's last scan, writing partitions as they fill. */
  private async take(reader: RecordReader, data: Buffer): Promise<void> {
    const records = reader.records;
    for (let row = 0; row < records;) {
      const rows = Math.min(this.builder.room(), records - row);
      this.convert(reader, row, row + rows);
      if (this.failures.count > 0) await this.rejects.write(data, this.rejectedRanges(reader, row, rows));
      row += rows;
      if (this.builder.isFull()) await this.writePartition();
    }
  }

  private convert(reader: RecordReader, rowStart: number, rowEnd: number): void {
    const builder = this.builder;
    const failures = this.failures;
    const rows = rowEnd - rowStart;
    builder.reserve(rows);
    failures.reset(rowStart, rowEnd);
    reader.convert(builder.columns, builder.batchRows, rowStart, rowEnd, failures);
    if (failures.first !== null) throw failures.first;
    if (failures.count > 0) builder.compact(failures.flags, rows);
    builder.advance(rows - failures.count);
    this.rows += rows - failures.count;
  }

  private rejectedRanges(reader: RecordReader, rowStart: number, rows: number): [number, number][] {
    const ranges: [number, number][] = [];
    for (let i = 0; i < rows; i++) if (this.failures.flags[i] === 1) ranges.push(reader.recordBytes(rowStart + i));
    return ranges;
  }

  private async writePartition(): Promise<void> {
    let batches = this.builder.take();
    let keys: string[] = [];
    if (this.dedup !== null && batches.length > 0) {
      const droppedBefore = this.dedup.dropped;
      ({ batches, keys } = await this.dedup.filter(batches));
      this.rows -= this.dedup.dropped - droppedBefore;
    }
    if (batches.length === 0) return;
    const partition = await this.table.writePartition(batches, {
      batchRowsMax: this.settings.batchRowsMax, encodings: freshTierEncodings, zstdLevel: freshTierZstdLevel,
    });
    // The filter goes in before the commit, so the partition never becomes visible without one.
    if (this.dedup !== null) await this.dedup.writeFilter(partition.id, keys);
    this.added.push(partition);
    this.bytesStored += partition.bytes;
  }

  private checkSignal(): void {
    if (this.options.signal?.aborted === true) throw cancelledError(this.snapshot.table);
  }

  /**
   * One commit for the whole load. The table retries it on top of commits that other writers
   * made meanwhile (appends commute).
   */
  private async commit(): Promise<number> {
    const files = [...new Set(this.parts.map((part) => part.file))];
    return this.table.commit(this.snapshot.version, {
      add: this.added,
      remove: [],
      loadHashes: this.loadHashes,
      info: { operation: 'load', files, rows: this.rows },
    });
  }

  /** The summary of the load; `files` are the files given, `skipped` those not loaded. */
  summary(files: readonly string[], skipped: readonly string[], seconds: number): IngestSummary {
    return {
      table: this.snapshot.table,
      version: this.version,
      rowsLoaded: this.rows,
      rowsRejected: this.rejects.records,
      ...(this.dedup === null ? {} : { rowsDuplicate: this.dedup.dropped }),
      bytesIn: this.text.bytes,
      ...(this.text.bytes === this.bytesDone ? {} : { bytesRead: this.bytesDone }),
      bytesStored: this.bytesStored,
      partitions: this.added.length,
      seconds,
      skipped: this.parts.length === 0,
      rejectsPath: this.rejects.records > 0 ? this.rejects.path : null,
      files: [...files],
      filesSkipped: [...skipped],
      rejectSamples: this.failures.samples.map((error) => ({ code: error.code, message: error.message })),
    };
  }
}

function fileChanged(path: string): StrataError {
  return new StrataError('conflict', 'INGEST_FILE_CHANGED',
    `${path}: the file changed while it was being loaded; nothing was committed, load it again once it is complete`, { file: path });
}

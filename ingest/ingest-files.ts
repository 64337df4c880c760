/**
 * A load: stream every file through its reader into partitions of partitionRowsTarget rows,
 * write each partition as it fills, and make the whole load visible with one commit at the end.
 * Any failure before that commit leaves the table as it was (written files become orphans that
 * vacuum removes).
 */
import { StrataError, type PartitionMeta, type Snapshot } from '../storage/index.js';
import { fileSize, openByteSource } from './byte-source.js';
import { CsvRecordReader } from './csv-record-reader.js';
import { cancelledError } from './ingest-errors.js';
import {
  fileFormat, loadSettings,
  type IngestOptions, type IngestSummary, type IngestTarget, type LoadSettings,
} from './ingest-options.js';
import { hashFile } from './load-hash.js';
import { NdjsonRecordReader } from './ndjson-record-reader.js';
import { PartitionBuilder } from './partition-builder.js';
import { recordChunks } from './record-chunks.js';
import type { RecordReader } from './record-reader.js';
import { RejectsWriter } from './rejects-writer.js';
import { RowFailures } from './row-failures.js';

/** Which files to load and what is known of them before reading. */
interface LoadPlan {
  readonly files: string[];
  readonly skipped: string[];
  /** Content hash per file to load, when hashed ahead (undefined otherwise). */
  readonly hashes: (string | undefined)[];
  readonly bytesTotal: number;
}

/**
 * Loads `files` into `table` in one commit and reports what happened. Files whose content hash
 * the table already holds are skipped unless `force`; when all are, nothing is written.
 */
export async function ingestFiles(table: IngestTarget, files: string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const startedMs = performance.now();
  const settings = loadSettings(files, options);
  const snapshot = await table.snapshot();
  const plan = await planLoad(files, snapshot, settings.force, options.signal);
  const load = new Load(table, snapshot, settings, options, plan);
  if (plan.files.length > 0) await load.run();
  return load.summary(files, plan, (performance.now() - startedMs) / 1000);
}

/**
 * Sizes every file and, when a duplicate is possible, hashes the raw files first: reading the
 * stored bytes costs a small fraction of parsing them, and it lets a repeated load finish
 * without writing anything.
 */
async function planLoad(files: readonly string[], snapshot: Snapshot, force: boolean, signal: AbortSignal | undefined): Promise<LoadPlan> {
  const sizes = await Promise.all(files.map((file) => fileSize(file)));
  const load: string[] = [];
  const skipped: string[] = [];
  const hashes: (string | undefined)[] = [];
  let bytesTotal = 0;
  const hashAhead = !force && (snapshot.loadHashes.size > 0 || files.length > 1);
  const seen = new Set<string>();
  for (let i = 0; i < files.length; i++) {
    if (signal?.aborted === true) throw cancelledError(snapshot.table);
    const hash = hashAhead ? await hashFile(files[i]) : undefined;
    if (hash !== undefined && (snapshot.loadHashes.has(hash) || seen.has(hash))) {
      skipped.push(files[i]);
      continue;
    }
    if (hash !== undefined) seen.add(hash);
    load.push(files[i]);
    hashes.push(hash);
    bytesTotal += sizes[i];
  }
  return { files: load, skipped, hashes, bytesTotal };
}

/** The state of one load while it runs. */
class Load {
  private readonly builder: PartitionBuilder;
  private readonly failures: RowFailures;
  private readonly rejects: RejectsWriter;
  private readonly added: PartitionMeta[] = [];
  private readonly loadHashes: string[] = [];
  private rows = 0;
  private bytesDone = 0;
  private bytesStored = 0;
  private version: number | null = null;

  constructor(
    private readonly table: IngestTarget,
    private readonly snapshot: Snapshot,
    private readonly settings: LoadSettings,
    private readonly options: IngestOptions,
    private readonly plan: LoadPlan,
  ) {
    this.builder = new PartitionBuilder(snapshot.schema, settings.batchRowsMax, settings.partitionRowsTarget);
    this.failures = new RowFailures(settings.policy);
    this.rejects = new RejectsWriter(settings.rejectsPath);
  }

  /** Reads every planned file, writes the partitions and commits. */
  async run(): Promise<void> {
    try {
      for (let i = 0; i < this.plan.files.length; i++) {
        const hash = await this.loadFile(this.plan.files[i]);
        const expected = this.plan.hashes[i];
        if (expected !== undefined && expected !== hash) throw fileChanged(this.plan.files[i]);
        this.loadHashes.push(hash);
      }
      if (this.builder.partitionRows > 0) await this.writePartition();
    } finally {
      await this.rejects.close();
    }
    this.checkSignal();
    this.version = await this.commit();
  }

  /** Streams one file into the partition builder; returns its content hash. */
  private async loadFile(path: string): Promise<string> {
    const source = await openByteSource(path, this.settings.readChunkBytes);
    const reader = this.reader(path);
    const limits = { readChunkBytes: this.settings.readChunkBytes, recordBytesMax: this.settings.recordBytesMax };
    this.checkSignal();
    for await (const data of recordChunks(source.chunks(), reader, limits, path)) {
      await this.take(reader, data);
      this.checkSignal();
      this.options.onProgress?.({ bytesRead: this.bytesDone + source.bytesRead, bytesTotal: this.plan.bytesTotal, rows: this.rows });
    }
    this.bytesDone += source.bytesRead;
    return source.digest();
  }

  private reader(path: string): RecordReader {
    const format = fileFormat(path, this.options);
    const schema = this.snapshot.schema;
    return format.format === 'ndjson' ? new NdjsonRecordReader(schema, path) : new CsvRecordReader(schema, path, format);
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
    const batches = this.builder.take();
    if (batches.length === 0) return;
    const partition = await this.table.writePartition(batches, { batchRowsMax: this.settings.batchRowsMax });
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
    return this.table.commit(this.snapshot.version, {
      add: this.added,
      remove: [],
      loadHashes: this.loadHashes,
      info: { operation: 'load', files: this.plan.files, rows: this.rows },
    });
  }

  /** The summary of the load (or of skipping it). */
  summary(files: string[], plan: LoadPlan, seconds: number): IngestSummary {
    return {
      table: this.snapshot.table,
      version: this.version,
      rowsLoaded: this.rows,
      rowsRejected: this.rejects.records,
      bytesIn: this.bytesDone,
      bytesStored: this.bytesStored,
      partitions: this.added.length,
      seconds,
      skipped: plan.files.length === 0,
      rejectsPath: this.rejects.records > 0 ? this.rejects.path : null,
      files: [...files],
      filesSkipped: [...plan.skipped],
      rejectSamples: this.failures.samples.map((error) => ({ code: error.code, message: error.message })),
    };
  }
}

function fileChanged(path: string): StrataError {
  return new StrataError('conflict', 'INGEST_FILE_CHANGED',
    `${path}: the file changed while it was being loaded; nothing was committed, load it again once it is complete`, { file: path });
}

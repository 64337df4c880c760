/**
 * What a load takes and returns, the defaults, and how each file's format is settled (explicit
 * options win; otherwise the file extension decides, never a guess from the content).
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Batch, CommitActions, PartitionMeta, Snapshot } from '../storage/index.js';
import { stripCompressionExtension } from './byte-source.js';
import { badOptionError } from './ingest-errors.js';
import type { ErrorPolicy } from './row-failures.js';

/** Progress of a load, reported after every chunk. */
export interface IngestProgress {
  /** Raw (stored, possibly compressed) bytes read so far. */
  readonly bytesRead: number;
  /** Raw bytes of all files to load. */
  readonly bytesTotal: number;
  /** Rows converted so far (rejected rows excluded). */
  readonly rows: number;
}

/** Options of a load; every field is optional. */
export interface IngestOptions {
  /** 'csv' or 'ndjson'; default by extension (.ndjson, .jsonl, .json are NDJSON, the rest CSV). */
  format?: 'csv' | 'ndjson';
  /** CSV field delimiter, one single-byte character; default '|' for .tbl, tab for .tsv, else ','. */
  delimiter?: string;
  /** CSV: the first record is a header to skip; default false for .tbl, true otherwise. */
  header?: boolean;
  /** CSV: unquoted field texts that mean NULL; default [''] (the empty unquoted field). */
  nullMarkers?: string[];
  /** Bad record: abort the load (default) or reject the record to the rejects file. */
  onError?: ErrorPolicy;
  /** Where rejected records go; default `<first file>.rejects`. */
  rejectsPath?: string;
  /** Load even files whose content hash the table already holds. */
  force?: boolean;
  /** Rows per partition file; default 1,048,576. */
  partitionRowsTarget?: number;
  /** Rows per record batch inside a partition file; default 65,536. */
  batchRowsMax?: number;
  /** Bytes read and scanned at a time; default 1 MiB. */
  readChunkBytes?: number;
  /** Longest record accepted, in bytes; default 16 MiB. */
  recordBytesMax?: number;
  /**
   * Worker threads that parse and encode a large load in parallel; default the machine's
   * available parallelism, at most ingestThreadsMax. 1 loads on the calling thread.
   */
  threads?: number;
  /** Called after every chunk. */
  onProgress?: (progress: IngestProgress) => void;
  /** Aborts the load (nothing is committed). */
  signal?: AbortSignal;
}

/** What a load did. */
export interface IngestSummary {
  readonly table: string;
  /** Committed version, or null when nothing was committed (skipped). */
  readonly version: number | null;
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  /** Records dropped because the table (or the load itself) already held their declared key; absent when the table declares none. */
  readonly rowsDuplicate?: number;
  /** Bytes of input text, after decompressing .gz/.zst files (the 'raw' of the stored ratio). */
  readonly bytesIn: number;
  /** Bytes read from the input files as stored (compressed size for .gz/.zst); absent when equal to bytesIn. */
  readonly bytesRead?: number;
  /** Bytes of the partition files written. */
  readonly bytesStored: number;
  readonly partitions: number;
  readonly seconds: number;
  /** True when every file was already loaded and nothing was done. */
  readonly skipped: boolean;
  /** The rejects file, or null when no record was rejected. */
  readonly rejectsPath: string | null;
  /** The files given. */
  readonly files: string[];
  /** Files not loaded because the table already holds their content hash. */
  readonly filesSkipped: string[];
  /** The first few reject reasons (error JSON), for a quick look without opening the file. */
  readonly rejectSamples: { code: string; message: string }[];
}

/** How a load writes its partitions. */
export interface FreshPartitionOptions {
  readonly batchRowsMax?: number;
  /** 'plain': the fresh tier — standard Arrow any reader decodes; compaction re-encodes later. */
  readonly encodings?: 'plain' | 'auto';
  /** zstd level of the partition's buffers (the fresh tier uses freshTierZstdLevel). */
  readonly zstdLevel?: number;
}

/**
 * Encodings of freshly loaded partitions. The fresh tier is plain Arrow (narrow integers,
 * dictionaries, zstd), so any Arrow reader gets the right values from a new load; compaction
 * (the archive tier) re-encodes with strata's encodings at a high zstd level.
 */
export const freshTierEncodings = 'plain';

/**
 * zstd level of freshly loaded partitions. Level 1 compresses about a third faster than the
 * default 3 for files only a few percent larger; compaction rewrites the archive tier at a high
 * level anyway, so the fresh tier buys load speed with a little space.
 */
export const freshTierZstdLevel = 1;

/**
 * Most worker threads a load uses. Parsing scales with cores, but each thread holds a partition
 * of rows in memory and the main thread must still write every file, so more than a few only
 * add memory.
 */
export const ingestThreadsMax = 4;

/** The table operations a load needs (storage's Table provides them). */
export interface IngestTarget {
  snapshot(): Promise<Snapshot>;
  /** Writes an invisible partition file; batchRowsMax sets the rows per record batch in it. */
  writePartition(batches: Batch[], options?: FreshPartitionOptions): Promise<PartitionMeta>;
  commit(baseVersion: number, actions: CommitActions): Promise<number>;
}

/**
 * Default limits. Partitions of about a million rows compress to roughly 10-40 MB, a good unit
 * for min/max pruning and for spreading scans over nodes; batches of 64 Ki rows keep scans
 * streaming in cache-friendly pieces; 1 MiB reads amortize system calls; 16 MiB per record is
 * far beyond any sane line yet stops an unbalanced quote from swallowing memory.
 */
export const ingestDefaults = {
  partitionRowsTarget: 1_048_576,
  batchRowsMax: 65_536,
  readChunkBytes: 1024 * 1024,
  recordBytesMax: 16 * 1024 * 1024,
} as const;

/** Validated settings of a whole load. */
export interface LoadSettings {
  readonly policy: ErrorPolicy;
  readonly force: boolean;
  readonly rejectsPath: string;
  readonly partitionRowsTarget: number;
  readonly batchRowsMax: number;
  readonly readChunkBytes: number;
  readonly recordBytesMax: number;
  /** Worker threads (1: the calling thread only). */
  readonly threads: number;
}

/** How one file is read. */
export interface FileFormat {
  readonly format: 'csv' | 'ndjson';
  readonly delimiter: string;
  readonly header: boolean;
  readonly nullMarkers: readonly string[];
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw badOptionError(name, `must be a positive integer, got ${value}`);
  return value;
}

/** Checks the options of a load and fills in defaults. */
export function loadSettings(files: readonly string[], options: IngestOptions): LoadSettings {
  if (files.length === 0) throw badOptionError('files', 'no input files given; name at least one file');
  if (options.onError !== undefined && options.onError !== 'abort' && options.onError !== 'reject') {
    throw badOptionError('onError', `must be 'abort' or 'reject', got ${JSON.stringify(options.onError)}`);
  }
  if (options.format !== undefined && options.format !== 'csv' && options.format !== 'ndjson') {
    throw badOptionError('format', `must be 'csv' or 'ndjson', got ${JSON.stringify(options.format)}`);
  }
  if (options.delimiter !== undefined) checkDelimiter(options.delimiter);
  const partitionRowsTarget = positiveInteger('partitionRowsTarget', options.partitionRowsTarget, ingestDefaults.partitionRowsTarget);
  return {
    policy: options.onError ?? 'abort',
    force: options.force ?? false,
    rejectsPath: options.rejectsPath ?? `${files[0]}.rejects`,
    partitionRowsTarget,
    batchRowsMax: Math.min(partitionRowsTarget, positiveInteger('batchRowsMax', options.batchRowsMax, ingestDefaults.batchRowsMax)),
    readChunkBytes: positiveInteger('readChunkBytes', options.readChunkBytes, ingestDefaults.readChunkBytes),
    recordBytesMax: positiveInteger('recordBytesMax', options.recordBytesMax, ingestDefaults.recordBytesMax),
    threads: Math.min(ingestThreadsMax, positiveInteger('threads', options.threads, availableParallelism())),
  };
}

function checkDelimiter(delimiter: string): void {
  if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f) {
    throw badOptionError('delimiter', `must be one single-byte (ASCII) character, got ${JSON.stringify(delimiter)}`);
  }
  if (delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw badOptionError('delimiter', `cannot be ${JSON.stringify(delimiter)}, which CSV reserves for quoting and line ends`);
  }
}

/** The lower-case extension of a file name once compression extensions are removed. */
function dataExtension(path: string): string {
  const name = basename(stripCompressionExtension(path)).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** How to read `path`: explicit options first, then its extension. */
export function fileFormat(path: string, options: IngestOptions): FileFormat {
  const extension = dataExtension(path);
  const ndjson = extension === 'ndjson' || extension === 'jsonl' || extension === 'json';
  const defaultDelimiter = extension === 'tbl' ? '|' : extension === 'tsv' || extension === 'tab' ? '\t' : ',';
  return {
    format: options.format ?? (ndjson ? 'ndjson' : 'csv'),
    delimiter: options.delimiter ?? defaultDelimiter,
    header: options.header ?? extension !== 'tbl',
    nullMarkers: options.nullMarkers ?? [''],
  };
}

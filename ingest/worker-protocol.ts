/**
 * The messages between a parallel load (parallel-load.ts, main thread) and its ingest worker
 * threads (ingest-worker.ts). Everything here survives structured cloning; partition file bytes
 * travel as transferred ArrayBuffers, never copied.
 */
import type { PartitionMeta, Snapshot } from '../storage/index.js';
import type { IngestPart } from './ingest-load.js';
import type { IngestOptions } from './ingest-options.js';

/** What every worker of one load starts with. */
export interface WorkerSetup {
  /** The table's snapshot when the load was planned, without its partitions (workers never read them). */
  readonly snapshot: Snapshot;
  /** The load's options without callbacks or signal. */
  readonly options: IngestOptions;
}

/** An error as it crosses threads. */
export interface WorkerError {
  readonly kind: string;
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'part'; readonly index: number; readonly part: IngestPart; readonly rejectsPath: string }
  | { readonly type: 'written' }
  | { readonly type: 'cancel' };

/** What one part produced. */
export interface PartResult {
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  /** Decompressed input bytes of the part. */
  readonly bytesIn: number;
  /** Input bytes of the part as stored, when the file was compressed. */
  readonly bytesRead?: number;
  readonly loadHashes: readonly string[];
  readonly rejectSamples: readonly { code: string; message: string }[];
  readonly quotedLineBreaks: boolean;
}

/** Worker → main. */
export type FromWorker =
  | { readonly type: 'partition'; readonly index: number; readonly meta: PartitionMeta; readonly data: Uint8Array[] }
  | { readonly type: 'progress'; readonly index: number; readonly bytesRead: number; readonly rows: number }
  | { readonly type: 'done'; readonly index: number; readonly result: PartResult }
  | { readonly type: 'failed'; readonly index: number; readonly error: WorkerError; readonly quotedLineBreaks: boolean };

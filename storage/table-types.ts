/**
 * What the commit log records about tables and partitions; shared by the table log, the
 * partition writer, ingest and the query engine's pruning.
 */
import type { Schema } from './types.js';

/** A min or max value in the in-memory units of vector.ts (days, microseconds, scaled ints) or a string. */
export type StatValue = number | string | boolean | null;

/** Per-column statistics of one partition. null min/max when every value is NULL. */
export interface ColumnStats {
  readonly min: StatValue;
  readonly max: StatValue;
  readonly nullCount: number;
  /** Bytes the column takes in the file (all its buffers, compressed). */
  readonly bytes: number;
  /** How the partition stores the column: 'plain' (Arrow as is) or an encoding name such as 'for+bits(18)', 'tokens'. */
  readonly encoding?: string;
  /** Bytes of the column as plain, uncompressed Arrow: `plainBytes / bytes` is its compression ratio. */
  readonly plainBytes?: number;
}

/** One immutable partition file as the commit log knows it. */
export interface PartitionMeta {
  /** Unique id (also the file name stem), e.g. p-<time>-<random>. */
  readonly id: string;
  /** Path relative to the table directory, e.g. data/<id>.arrow. */
  readonly path: string;
  readonly rows: number;
  /** File size in bytes. */
  readonly bytes: number;
  /** Content checksum of the whole file: 'sha256:<hex>'. */
  readonly checksum: string;
  /** zstd level the file was written at (absent in older entries: the default, 3); compaction rewrites lower levels at the archive level. */
  readonly zstdLevel?: number;
  /** Statistics per schema column, in schema order. */
  readonly columns: readonly ColumnStats[];
}

/** The state of a table at one committed version. */
export interface Snapshot {
  readonly table: string;
  readonly version: number;
  readonly schema: Schema;
  readonly partitions: readonly PartitionMeta[];
  /** Table options (e.g. sort key, dedupe key) as set at CREATE. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Content hashes of loads already committed (load de-duplication). */
  readonly loadHashes: ReadonlySet<string>;
  /** Commit time of this version, ms since epoch. */
  readonly committedAtMs: number;
}

/** What a commit does. Applied atomically: all of it becomes visible or none. */
export interface CommitActions {
  readonly add: readonly PartitionMeta[];
  readonly remove: readonly string[];
  /** Content hashes of the loaded inputs, recorded for load de-duplication. */
  readonly loadHashes?: readonly string[];
  /** Free-form information: operation name, rows, source files, node, user. */
  readonly info: Readonly<Record<string, unknown>>;
}

/**
 * Compaction, the archive tier: small partitions (many small loads, the small-files problem on
 * HDFS) are merged, and fresh partitions written at a fast zstd level are re-encoded at the
 * archive level; rows are re-sorted by the table's sort key on the way. Each group of partitions
 * is replaced by its rewrite in one commit, so readers see the old files or the new ones, never
 * a mix, and a query running on an older snapshot keeps reading the old files (vacuum deletes
 * them only after its retention window).
 */
import { StrataError } from './errors.js';
import { gatherColumn, type ColumnChunk } from './partition-column-chunk.js';
import { permutedBatch, sortPermutation } from './partition-sort.js';
import type { BatchSource, PartitionWriteOptions } from './partition-writer.js';
import type { CommitActions, PartitionMeta, Snapshot } from './table-types.js';
import type { Schema } from './types.js';
import type { Batch } from './vector.js';
import { zstdLevelDefault } from './zstd-codec.js';

/** zstd level of the archive tier: slow to write, 3-10 % smaller than level 3 on encoded columns, as fast to read. */
export const archiveZstdLevelDefault = 19;

/** Partitions under this many rows are merged with others (a quarter of a full 1 Mi-row partition). */
export const smallPartitionRowsMaxDefault = 262_144;

/** Rows a compacted partition holds at most: the ingest default, a good unit for pruning and for spreading scans. */
export const compactedPartitionRowsMaxDefault = 1_048_576;

/** What compaction needs of a table (storage's Table provides it). */
export interface CompactionTarget {
  readonly name: string;
  readonly schema: Schema;
  readonly options: Readonly<Record<string, unknown>>;
  snapshot(): Promise<Snapshot>;
  readPartition(meta: PartitionMeta, columns: readonly number[], signal?: AbortSignal): AsyncIterable<Batch>;
  writePartition(batches: BatchSource, options?: PartitionWriteOptions): Promise<PartitionMeta>;
  commit(baseVersion: number, actions: CommitActions): Promise<number>;
}

/** How to compact. */
export interface CompactionOptions {
  /** zstd level of the rewritten partitions (default 19). */
  readonly zstdLevel?: number;
  /** Partitions with fewer rows are merged (default 262,144). */
  readonly smallPartitionRowsMax?: number;
  /** Rows per rewritten partition at most (default 1,048,576). */
  readonly partitionRowsMax?: number;
  /** Columns to sort rows by; default the table option `sortKey`, else the rows keep their order. */
  readonly sortKey?: readonly string[];
  /** Pause between groups, so a background compaction leaves CPU and I/O to queries and loads. */
  readonly pauseMs?: number;
  /** Groups rewritten at most in this call (default all); the rest wait for the next run. */
  readonly groupsMax?: number;
  readonly signal?: AbortSignal;
}

/** What a compaction did. */
export interface CompactionResult {
  /** Partitions replaced and written. */
  readonly removed: number;
  readonly added: number;
  readonly rows: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** The last version committed, or null when there was nothing to do. */
  readonly version: number | null;
}

/**
 * Groups of partitions to rewrite: every small partition and every one written below the
 * archive level, in commit order, packed into groups of at most partitionRowsMax rows.
 */
export function planCompaction(partitions: readonly PartitionMeta[], options: CompactionOptions = {}): PartitionMeta[][] {
  const level = options.zstdLevel ?? archiveZstdLevelDefault;
  const small = options.smallPartitionRowsMax ?? smallPartitionRowsMaxDefault;
  const rowsMax = options.partitionRowsMax ?? compactedPartitionRowsMaxDefault;
  const due = partitions.filter((meta) => meta.rows < small || (meta.zstdLevel ?? zstdLevelDefault) < level);
  const groups: PartitionMeta[][] = [];
  let current: PartitionMeta[] = [];
  let rows = 0;
  for (const meta of due) {
    if (current.length > 0 && rows + meta.rows > rowsMax) {
      groups.push(current);
      current = [];
      rows = 0;
    }
    current.push(meta);
    rows += meta.rows;
  }
  if (current.length > 0) groups.push(current);
  // A partition alone in its group has nothing to merge with; only a fresh one gains from a rewrite.
  return groups.filter((group) => group.length > 1 || (group[0].zstdLevel ?? zstdLevelDefault) < level);
}

function sortColumns(target: CompactionTarget, options: CompactionOptions): number[] {
  const sortKey = options.sortKey ?? (Array.isArray(target.options.sortKey) ? target.options.sortKey as string[] : []);
  return sortKey.map((name) => {
    const index = target.schema.fields.findIndex((field) => field.name === name);
    if (index < 0) {
      throw new StrataError('input', 'COMPACTION_SORT_KEY_INVALID',
        `table ${target.name} has no column '${name}' to sort by; fix the table's sortKey option or the compaction's sortKey`, { table: target.name });
    }
    return index;
  });
}

/** Reads a group's partitions, merges (and sorts) their rows and writes them as new partitions. */
async function rewriteGroup(target: CompactionTarget, group: readonly PartitionMeta[], keyColumns: readonly number[], options: CompactionOptions): Promise<PartitionMeta[]> {
  const columns = target.schema.fields.map((_, i) => i);
  const batches: Batch[] = [];
  for (const meta of group) {
    for await (const batch of target.readPartition(meta, columns, options.signal)) batches.push(batch);
  }
  const rows = batches.reduce((sum, batch) => sum + batch.length, 0);
  const chunks: ColumnChunk[] = target.schema.fields.map((field, i) => gatherColumn(batches, i, field, rows));
  batches.length = 0; // the chunks hold the rows now; let the decoded batches go
  const order = keyColumns.length > 0 ? sortPermutation(chunks, keyColumns, rows) : Int32Array.from({ length: rows }, (_, i) => i);
  const rowsMax = options.partitionRowsMax ?? compactedPartitionRowsMaxDefault;
  const written: PartitionMeta[] = [];
  for (let start = 0; start < rows; start += rowsMax) {
    const slice = order.subarray(start, Math.min(rows, start + rowsMax));
    written.push(await target.writePartition([permutedBatch(chunks, target.schema.fields, slice)], { zstdLevel: options.zstdLevel ?? archiveZstdLevelDefault }));
  }
  return written;
}

function checkCancelled(target: CompactionTarget, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StrataError('cancelled', 'COMPACTION_CANCELLED', `compaction of table ${target.name} was cancelled; committed groups stay compacted`, { table: target.name });
}

/**
 * Compacts `target`: each planned group is rewritten and committed in its own commit (on top of
 * the snapshot it was read from; a concurrent removal of one of its partitions is COMMIT_CONFLICT
 * and leaves the rewrite an orphan for vacuum).
 */
export async function compactTable(target: CompactionTarget, options: CompactionOptions = {}): Promise<CompactionResult> {
  const snapshot = await target.snapshot();
  const keyColumns = sortColumns(target, options);
  const groups = planCompaction(snapshot.partitions, options).slice(0, options.groupsMax ?? Infinity);
  let result: CompactionResult = { removed: 0, added: 0, rows: 0, bytesBefore: 0, bytesAfter: 0, version: null };
  for (const group of groups) {
    checkCancelled(target, options.signal);
    const written = await rewriteGroup(target, group, keyColumns, options);
    checkCancelled(target, options.signal);
    const version = await target.commit(snapshot.version, {
      add: written, remove: group.map((meta) => meta.id),
      info: { operation: 'compact', partitionsRemoved: group.length, partitionsAdded: written.length, rows: group.reduce((sum, meta) => sum + meta.rows, 0) },
    });
    result = {
      removed: result.removed + group.length, added: result.added + written.length, version,
      rows: result.rows + group.reduce((sum, meta) => sum + meta.rows, 0),
      bytesBefore: result.bytesBefore + group.reduce((sum, meta) => sum + meta.bytes, 0),
      bytesAfter: result.bytesAfter + written.reduce((sum, meta) => sum + meta.bytes, 0),
    };
    if ((options.pauseMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return result;
}

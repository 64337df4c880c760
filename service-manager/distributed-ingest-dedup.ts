/**
 * Record de-duplication for a load spread over the cluster (tables with a record key). Two
 * levels: each worker's load drops records whose key the table held at the pinned snapshot (its
 * Bloom key filters, then the key columns) or an earlier record of its own parts had, exactly as a
 * one-node load does; then the coordinator, before the one commit, checks the parts of different
 * workers against each other in part order, so a record in two parts of one load is kept once,
 * in the earlier part. A partition with such duplicates is rewritten without them (the old file
 * stays an uncommitted orphan for vacuum).
 */
import {
  StrataError, type Batch, type PartitionMeta, type Snapshot, type Table,
} from '../storage/index.js';
import { RecordDeduplicator, RecordingTarget, recordKeyColumns } from '../ingest/index.js';

/**
 * A worker's RecordingTarget that also lets ingest's de-duplicator read the table (its key
 * property, store, directory and partitions), so the worker's load drops duplicates of the table
 * at the pinned snapshot and writes a key filter beside each partition it builds.
 */
export class KeyedRecordingTarget extends RecordingTarget {
  readonly store: Table['store'];
  readonly directory: string;

  constructor(private readonly table: Table, pinned: Snapshot) {
    super(table, pinned);
    this.store = table.store;
    this.directory = table.directory;
  }

  /** The table's properties (the record key among them). */
  properties(): Promise<Readonly<Record<string, unknown>>> {
    return this.table.properties();
  }

  /** Reads some columns of a partition of the table. */
  readPartition(meta: PartitionMeta, columns: readonly number[], signal?: AbortSignal): AsyncIterable<Batch> {
    return this.table.readPartition(meta, columns, signal);
  }
}

/** One worker's partitions, in the order of the parts it ran. */
export interface RunPartitions {
  readonly partitions: PartitionMeta[];
}

/** What the cross-part pass did: per run the partitions to commit and the records it dropped. */
export interface CrossPartOutcome {
  readonly partitions: PartitionMeta[][];
  readonly dropped: number[];
}

/**
 * Drops records that an earlier run (in part order) of the same load already holds. Each
 * partition of run r is checked against the partitions of runs 0..r-1 with ingest's
 * de-duplicator (their key filters first, key columns only where a filter may hold a key), on its
 * key columns alone; partitions without duplicates are kept as written (the common case costs a
 * read of key columns), the others read whole and rewritten without them.
 */
export async function dropCrossPartDuplicates(table: Table, snapshot: Snapshot, runs: readonly RunPartitions[], signal: AbortSignal): Promise<CrossPartOutcome> {
  const keyColumns = recordKeyColumns(snapshot, await table.properties());
  if (keyColumns === null || runs.length < 2) return { partitions: runs.map((run) => run.partitions), dropped: runs.map(() => 0) };
  const target = new KeyedRecordingTarget(table, snapshot);
  const all = snapshot.schema.fields.map((_, i) => i);
  const partitions: PartitionMeta[][] = [runs[0].partitions];
  const dropped = [0];
  const earlier: PartitionMeta[] = [...runs[0].partitions];
  for (let r = 1; r < runs.length; r++) {
    const kept: PartitionMeta[] = [];
    let runDropped = 0;
    for (const meta of runs[r].partitions) {
      checkSignal(signal, snapshot.table);
      if (!(await holdsEarlierKeys(table, snapshot, earlier, keyColumns, meta, signal))) {
        kept.push(meta);
        continue;
      }
      // A fresh de-duplicator per partition: its own keys are unique already (the worker saw to that).
      const dedup = new RecordDeduplicator(target, { ...snapshot, partitions: earlier }, keyColumns, signal);
      const batches: Batch[] = [];
      for await (const batch of table.readPartition(meta, all, signal)) batches.push(batch);
      const result = await dedup.filter(batches);
      if (dedup.dropped === 0) {
        kept.push(meta);
        continue;
      }
      runDropped += dedup.dropped;
      if (result.batches.length === 0) continue;
      const rewritten = await table.writePartition(result.batches);
      await dedup.writeFilter(rewritten.id, result.keys);
      kept.push(rewritten);
    }
    partitions.push(kept);
    dropped.push(runDropped);
    earlier.push(...runs[r].partitions);
  }
  return { partitions, dropped };
}

/**
 * True when partition `meta` holds a key of the `earlier` partitions: ingest's de-duplicator run
 * over the key columns only, as if the table had just those columns (statistics and reads mapped).
 */
async function holdsEarlierKeys(table: Table, snapshot: Snapshot, earlier: readonly PartitionMeta[], keyColumns: readonly number[],
  meta: PartitionMeta, signal: AbortSignal): Promise<boolean> {
  const byId = new Map(earlier.map((partition) => [partition.id, partition]));
  const keysOnly = {
    store: table.store,
    directory: table.directory,
    properties: () => table.properties(),
    readPartition: (partition: PartitionMeta, columns: readonly number[], readSignal?: AbortSignal) =>
      table.readPartition(byId.get(partition.id) ?? partition, columns.map((column) => keyColumns[column]), readSignal),
  };
  const partitions = earlier.map((partition) => ({ ...partition, columns: keyColumns.map((column) => partition.columns[column]) }));
  const positions = keyColumns.map((_, i) => i);
  const dedup = new RecordDeduplicator(keysOnly, { ...snapshot, partitions }, positions, signal);
  const batches: Batch[] = [];
  for await (const batch of table.readPartition(meta, keyColumns, signal)) batches.push(batch);
  await dedup.filter(batches);
  return dedup.dropped > 0;
}

function checkSignal(signal: AbortSignal, table: string): void {
  if (signal.aborted) throw new StrataError('cancelled', 'INGEST_CANCELLED', `load into ${table} cancelled; nothing was committed, run the load again to retry`, {});
}

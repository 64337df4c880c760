/**
 * A worker's reduce side of a shuffle join: runs the reduce fragment (the join and what the
 * planner put above it) over one bucket of each side. The bucket's rows reach the fragment as
 * two pseudo tables of one partition each (shuffle-plan.ts), so the fragment is an ordinary plan.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { ScanPartition, TableSource } from '../catalog.js';
import type { LogicalPlan } from '../plan/index.js';
import { collectScans } from '../plan/plan-utils.js';
import { shuffleInputTables } from '../distribute/shuffle-plan.js';
import type { ShuffleInputs } from '../distribute/shuffle-task.js';
import type { ExecutionMetrics } from './execution-plan.js';
import { createPhysicalPlan } from './physical-planner.js';

/** A pseudo table over a stream of batches with every column (the scan reads all, in order). */
function inputTable(name: string, schema: Schema, read: (signal?: AbortSignal) => AsyncIterable<Batch>): TableSource {
  const partition: ScanPartition = { id: 'bucket', rows: 0, bytes: 0, columns: [] };
  return {
    name, schema, version: 0, partitions: [partition],
    async *scan(_partitionId: string, columns: readonly number[], signal?: AbortSignal): AsyncIterable<Batch> {
      for await (const batch of read(signal)) yield { length: batch.length, columns: columns.map((column) => batch.columns[column]) };
    },
  };
}

/** Runs a reduce fragment over one bucket of both sides; `memoryBytesMax` bounds its hash table and buffers. */
export async function* runShuffleReduce(fragment: LogicalPlan, inputs: ShuffleInputs, memoryBytesMax: number, signal?: AbortSignal): AsyncIterable<Batch> {
  const tables = new Map<string, TableSource>();
  for (const scan of collectScans(fragment)) {
    if (scan.table === shuffleInputTables.left) tables.set(scan.table, inputTable(scan.table, scan.tableSchema, (s) => inputs.left(s)));
    else if (scan.table === shuffleInputTables.right) tables.set(scan.table, inputTable(scan.table, scan.tableSchema, (s) => inputs.right(s)));
  }
  const metrics: ExecutionMetrics = { partitionsScanned: 0, rowsScanned: 0, bytesScanned: 0 };
  yield* createPhysicalPlan(fragment, tables).execute({ signal, memoryBytesMax, metrics });
}

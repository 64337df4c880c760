/**
 * The coordinator's half of a distributed ORDER BY: every partition's output arrives sorted by
 * the keys (the nodes ran the Sort), and a k-way merge over a binary heap of run heads puts them
 * in one order — O(n log k) key comparisons instead of a full sort's O(n log n).
 *
 * All runs are held until the last partition completes: the first merged row can come from any
 * partition, and the cluster releases a partition's rows only once it completed (so a failed node's
 * partitions can be re-run). The runs are laid end to end in partition order in one batch, so the
 * key columns are prepared once (strings ranked over one dictionary, comparable across runs) and
 * the heap compares plain typed-array values; ties go to the earlier partition, which is the order
 * a single node's stable sort over the partitions in order gives. One heap over all the runs (not
 * merges in groups): with every run in memory anyway, groups would only copy rows again, and the
 * heap's depth grows with log2 of the runs (9 levels for 500 partitions). Past the query's memory
 * limit, with a spill area, the partitions held so far are merged into one run on disk and the
 * runs are merged at the end by the external sort's merge (external-sort.ts), in passes of at most
 * mergeFanInMax runs, holding one batch per run.
 */
import type { Batch, DataType, Schema } from '../../storage/index.js';
import type { PartitionOutput } from '../distribute/fragment-executor.js';
import type { SortKey } from '../plan/index.js';
import { compareRows, concatBatches, prepareSortKeys, sortedIndices, takeBatch, type PreparedKey } from '../exec/index.js';
import type { ExecutionContext, SpillArea, SpillRun } from './execution-plan.js';
import { batchBytes, batchRowsMax, checkCancelled, MemoryReservation } from './execution-limits.js';
import { mergeRunsInPasses, spillBatchRows } from './external-sort.js';

/**
 * Row positions in merged key order of runs laid end to end, run r being rows
 * [starts[r], starts[r + 1]) and each sorted by `keys`; ties keep position order (stable).
 */
export function mergeRunOrder(keys: readonly PreparedKey[], starts: Int32Array): Int32Array {
  const runs = starts.length - 1;
  const n = starts[runs];
  const order = new Int32Array(n);
  // heap[0 … size) holds run numbers, smallest head first; cursor[r] is run r's head row.
  const heap = new Int32Array(runs);
  const cursor = new Int32Array(runs);
  let size = 0;
  for (let r = 0; r < runs; r++) {
    cursor[r] = starts[r];
    if (starts[r] < starts[r + 1]) heap[size++] = r;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(keys, heap, cursor, size, i);
  for (let out = 0; out < n; out++) {
    const run = heap[0];
    order[out] = cursor[run]++;
    if (cursor[run] === starts[run + 1]) heap[0] = heap[--size];
    if (size > 1) siftDown(keys, heap, cursor, size, 0);
  }
  return order;
}

/** Moves heap[i] down until neither child's head sorts before it. */
function siftDown(keys: readonly PreparedKey[], heap: Int32Array, cursor: Int32Array, size: number, i: number): void {
  const run = heap[i];
  const row = cursor[run];
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    const right = child + 1;
    if (right < size && before(keys, cursor[heap[right]], cursor[heap[child]])) child = right;
    if (!before(keys, cursor[heap[child]], row)) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = run;
}

/** True when row a comes before row b: key order, then position (earlier run first). */
function before(keys: readonly PreparedKey[], a: number, b: number): boolean {
  const order = compareRows(keys, a, b);
  return order < 0 || (order === 0 && a < b);
}

/** Partitions' sorted outputs held in memory (by partition index), their bytes and rows. */
interface HeldRuns {
  runs: (readonly Batch[])[];
  bytes: number;
  rows: number;
  seen: WeakSet<object>;
}

function emptyHeld(): HeldRuns {
  return { runs: [], bytes: 0, rows: 0, seen: new WeakSet<object>() };
}

/** Bytes merging `rows` rows of `bytes` takes: the runs, their joined copy with key columns, and the order. */
function mergingBytes(bytes: number, rows: number): number {
  return 2 * bytes + 4 * rows;
}

/**
 * Merges a fragment's per-partition sorted outputs (arriving whole, in any partition order) into
 * one stream in key order. Memory is counted against the query's limit; past it, with a spill
 * area, the partitions held so far are merged and written as one sorted run, and the runs are
 * merged at the end as an external sort's are (equal keys then come in run order, not partition order).
 */
export async function* mergeSortedPartitions(outputs: AsyncIterable<PartitionOutput>, keys: readonly SortKey[],
  schema: Schema, context: ExecutionContext): AsyncIterable<Batch> {
  const reservation = new MemoryReservation(context, 'MergeExchange');
  const spill = context.spill;
  const spilled: SpillRun[] = [];
  try {
    let held = emptyHeld();
    for await (const output of outputs) {
      checkCancelled(context);
      const seen = held.seen;
      let bytes = 0;
      let rows = 0;
      for (const batch of output.batches) { bytes += batchBytes(batch, seen); rows += batch.length; }
      if (spill !== undefined && held.rows > 0 && !reservation.tryResize(mergingBytes(held.bytes + bytes, held.rows + rows))) {
        spilled.push(await writeMergedRun(held, keys, schema, context, spill));
        reservation.resize(0);
        held = emptyHeld();
        bytes = 0;
        for (const batch of output.batches) bytes += batchBytes(batch, held.seen);
      }
      held.runs[output.partition] = output.batches;
      held.bytes += bytes;
      held.rows += rows;
      if (spill === undefined) reservation.resize(held.bytes);
      else reservation.tryResize(mergingBytes(held.bytes, held.rows), true);
    }
    if (spilled.length === 0 || spill === undefined) {
      const merged = mergeHeld(held, keys, schema);
      if (merged === null) return;
      // The joined copy, key columns and the order array roughly double what the runs take; with a
      // spill area that is one partition past the limit, counted (it cannot shrink), never refused.
      if (spill === undefined) reservation.resize(mergingBytes(held.bytes, held.rows));
      held = emptyHeld();
      yield* inOrder(merged.all, merged.order, batchRowsMax, context);
      return;
    }
    if (held.rows > 0) spilled.push(await writeMergedRun(held, keys, schema, context, spill));
    held = emptyHeld();
    reservation.resize(0);
    yield* mergeRunsInPasses(spilled, keys, schema, context, spill, reservation);
  } finally {
    reservation.release();
    if (spill !== undefined) await Promise.all(spilled.map((run) => spill.release(run)));
  }
}

/** The held runs laid end to end in partition order and their merged order; null when they hold no row. */
function mergeHeld(held: HeldRuns, keys: readonly SortKey[], schema: Schema): { all: Batch; order: Int32Array } | null {
  const batches: Batch[] = [];
  const lengths: number[] = [];
  for (const run of held.runs) {
    if (run === undefined) continue;
    let rows = 0;
    for (const batch of run) if (batch.length > 0) { batches.push(batch); rows += batch.length; }
    if (rows > 0) lengths.push(rows);
  }
  if (batches.length === 0) return null;
  const starts = new Int32Array(lengths.length + 1);
  for (let r = 0; r < lengths.length; r++) starts[r + 1] = starts[r] + lengths[r];
  const all = concatBatches(schema.fields.map((field) => field.type), batches);
  return { all, order: mergeRunOrder(prepareSortKeys(keys, all), starts) };
}

/** Merges the held partitions and writes them to the spill area as one sorted run. */
async function writeMergedRun(held: HeldRuns, keys: readonly SortKey[], schema: Schema, context: ExecutionContext, spill: SpillArea): Promise<SpillRun> {
  checkCancelled(context);
  const merged = mergeHeld(held, keys, schema)!;
  const run = await spill.writeRun(schema, inOrder(merged.all, merged.order, spillBatchRows(merged.all.length), context));
  context.metrics.spilledBytes = (context.metrics.spilledBytes ?? 0) + run.bytes;
  return run;
}

/**
 * Sorts gathered rows whose partition boundaries were lost (an executor without
 * executePartitions): a full sort, so the answer stays right, without the merge's saving.
 */
export async function* sortGathered(input: AsyncIterable<Batch>, keys: readonly SortKey[],
  types: readonly DataType[], context: ExecutionContext): AsyncIterable<Batch> {
  const reservation = new MemoryReservation(context, 'MergeExchange');
  try {
    const batches: Batch[] = [];
    let bytes = 0;
    const seen = new WeakSet<object>();
    for await (const batch of input) {
      checkCancelled(context);
      if (batch.length === 0) continue;
      batches.push(batch);
      bytes += batchBytes(batch, seen);
      reservation.resize(bytes);
    }
    if (batches.length === 0) return;
    const all = concatBatches(types, batches);
    // The joined copy, key columns and the order array roughly double what the rows take.
    reservation.resize(mergingBytes(bytes, all.length));
    yield* inOrder(all, sortedIndices(prepareSortKeys(keys, all), all.length), batchRowsMax, context);
  } finally {
    reservation.release();
  }
}

/** Batches of `all` in the order of `order`, `rows` at a time. */
function* inOrder(all: Batch, order: Int32Array, rows: number, context: ExecutionContext): Generator<Batch> {
  for (let start = 0; start < all.length; start += rows) {
    checkCancelled(context);
    const end = Math.min(start + rows, all.length);
    yield takeBatch(all, order.subarray(start, end), end - start);
  }
}

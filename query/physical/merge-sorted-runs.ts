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
 * heap's depth grows with log2 of the runs (9 levels for 500 partitions).
 */
import type { Batch, DataType } from '../../storage/index.js';
import type { PartitionOutput } from '../distribute/fragment-executor.js';
import type { SortKey } from '../plan/index.js';
import { compareRows, concatBatches, prepareSortKeys, sortedIndices, takeBatch, type PreparedKey } from '../exec/index.js';
import type { ExecutionContext } from './execution-plan.js';
import { batchBytes, batchRowsMax, checkCancelled, MemoryReservation } from './execution-limits.js';

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

/**
 * Merges a fragment's per-partition sorted outputs (arriving whole, in any partition order) into
 * one stream in key order; memory is counted against the query's limit.
 */
export async function* mergeSortedPartitions(outputs: AsyncIterable<PartitionOutput>, keys: readonly SortKey[],
  types: readonly DataType[], context: ExecutionContext): AsyncIterable<Batch> {
  const reservation = new MemoryReservation(context, 'MergeExchange');
  try {
    const runs: (readonly Batch[])[] = [];
    let bytes = 0;
    for await (const output of outputs) {
      checkCancelled(context);
      runs[output.partition] = output.batches;
      const seen = new WeakSet<object>();
      for (const batch of output.batches) bytes += batchBytes(batch, seen);
      reservation.resize(bytes);
    }
    const batches: Batch[] = [];
    const lengths: number[] = [];
    for (const run of runs) {
      if (run === undefined) continue;
      let rows = 0;
      for (const batch of run) if (batch.length > 0) { batches.push(batch); rows += batch.length; }
      if (rows > 0) lengths.push(rows);
    }
    if (batches.length === 0) return;
    const starts = new Int32Array(lengths.length + 1);
    for (let r = 0; r < lengths.length; r++) starts[r + 1] = starts[r] + lengths[r];
    yield* emitInOrder(concatBatches(types, batches), keys, (prepared) => mergeRunOrder(prepared, starts), reservation, bytes, context);
  } finally {
    reservation.release();
  }
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
    yield* emitInOrder(all, keys, (prepared) => sortedIndices(prepared, all.length), reservation, bytes, context);
  } finally {
    reservation.release();
  }
}

/** Streams `all` in the order `orderOf` gives over its prepared keys, a batch at a time. */
function* emitInOrder(all: Batch, keys: readonly SortKey[], orderOf: (prepared: readonly PreparedKey[]) => Int32Array,
  reservation: MemoryReservation, bytes: number, context: ExecutionContext): Iterable<Batch> {
  // The joined copy, key columns and the order array roughly double what the runs take.
  reservation.resize(2 * bytes + all.length * 4);
  const order = orderOf(prepareSortKeys(keys, all));
  for (let start = 0; start < all.length; start += batchRowsMax) {
    checkCancelled(context);
    const end = Math.min(start + batchRowsMax, all.length);
    yield takeBatch(all, order.subarray(start, end), end - start);
  }
}

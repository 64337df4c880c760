/**
 * ORDER BY beyond the memory budget: input is buffered until it would pass the budget, then the
 * held rows are sorted and written to the query's spill area as a run; at the end the runs are
 * merged k ways. Runs hold consecutive stretches of the input and the merge breaks ties by run,
 * then by position, so the order is exactly the stable in-memory order.
 */
import type { Batch, DataType, Schema } from '../../storage/index.js';
import type { SortKey } from '../plan/index.js';
import { concatBatches, prepareSortKeys, sortedIndices, takeBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan, SpillArea, SpillRun } from './execution-plan.js';
import { batchBytes, batchRowsMax, checkCancelled, MemoryReservation } from './execution-limits.js';
import { mergeSortedRuns } from './external-merge.js';

/**
 * Runs merged at once: the merge holds one batch per run, so runs are written in batches of
 * 1/mergeFanInMax of their rows and a run set wider than this is merged in passes.
 */
export const mergeFanInMax = 64;

/** Fewest rows per spilled batch: below this, per-batch encoding overhead dominates. */
const spillBatchRowsMin = 1024;

/** Rows held in memory, the bytes they take and the dictionaries already counted. */
interface Held {
  batches: Batch[];
  bytes: number;
  rows: number;
  seen: WeakSet<object>;
}

function emptyHeld(): Held {
  return { batches: [], bytes: 0, rows: 0, seen: new WeakSet<object>() };
}

/** Bytes sorting `rows` rows of `bytes` takes: the rows, their key columns and the index array. */
function sortingBytes(bytes: number, rows: number): number {
  return 2 * bytes + 4 * rows;
}

/** Rows per batch of a spilled run of `rows` rows, so that mergeFanInMax runs' batches fit together. */
export function spillBatchRows(rows: number): number {
  return Math.min(batchRowsMax, Math.max(spillBatchRowsMin, Math.ceil(rows / mergeFanInMax)));
}

/** Batches of `all` in the order of `order`, `rows` at a time. */
function* inOrder(all: Batch, order: Int32Array, rows: number): Generator<Batch> {
  for (let start = 0; start < all.length; start += rows) {
    const end = Math.min(start + rows, all.length);
    yield takeBatch(all, order.subarray(start, end), end - start);
  }
}

/** Sort with a spill area: in memory while the input fits, else sorted runs on disk merged at the end. */
export async function* externalSort(input: ExecutionPlan, keys: readonly SortKey[], schema: Schema, context: ExecutionContext,
  spill: SpillArea): AsyncGenerator<Batch> {
  const types = schema.fields.map((f) => f.type);
  const reservation = new MemoryReservation(context, 'SortExec');
  const runs: SpillRun[] = [];
  try {
    let held = emptyHeld();
    for await (const batch of input.execute(context)) {
      checkCancelled(context);
      if (batch.length === 0) continue;
      let bytes = batchBytes(batch, held.seen);
      if (!reservation.tryResize(sortingBytes(held.bytes + bytes, held.rows + batch.length)) && held.rows > 0) {
        runs.push(await writeSortedRun(held, keys, schema, types, context, spill));
        reservation.resize(0);
        held = emptyHeld();
        bytes = batchBytes(batch, held.seen);
      }
      held.batches.push(batch);
      held.bytes += bytes;
      held.rows += batch.length;
      reservation.tryResize(sortingBytes(held.bytes, held.rows), true);
    }
    if (runs.length === 0) {
      if (held.rows === 0) return;
      const all = concatBatches(types, held.batches);
      const order = sortedIndices(prepareSortKeys(keys, all), all.length);
      held = emptyHeld();
      for (const batch of inOrder(all, order, batchRowsMax)) {
        checkCancelled(context);
        yield batch;
      }
      return;
    }
    if (held.rows > 0) runs.push(await writeSortedRun(held, keys, schema, types, context, spill));
    held = emptyHeld();
    reservation.resize(0);
    yield* mergeRunsInPasses(runs, keys, schema, context, spill, reservation);
  } finally {
    reservation.release();
    await Promise.all(runs.map((run) => spill.release(run)));
  }
}

/** Sorts the held rows and writes them as one run. */
async function writeSortedRun(held: Held, keys: readonly SortKey[], schema: Schema, types: readonly DataType[], context: ExecutionContext,
  spill: SpillArea): Promise<SpillRun> {
  checkCancelled(context);
  const all = concatBatches(types, held.batches);
  const order = sortedIndices(prepareSortKeys(keys, all), all.length);
  const run = await spill.writeRun(schema, inOrder(all, order, spillBatchRows(all.length)));
  context.metrics.spilledBytes = (context.metrics.spilledBytes ?? 0) + run.bytes;
  return run;
}

/**
 * Merges the runs; more than mergeFanInMax are first merged in groups into longer runs (each
 * group holds consecutive runs, so ties still resolve in input order). `runs` is updated in place
 * so the caller's cleanup releases whatever exists.
 */
export async function* mergeRunsInPasses(runs: SpillRun[], keys: readonly SortKey[], schema: Schema, context: ExecutionContext, spill: SpillArea,
  reservation: MemoryReservation): AsyncGenerator<Batch> {
  while (runs.length > mergeFanInMax) {
    const current = [...runs];
    const next: SpillRun[] = [];
    for (let start = 0; start < current.length; start += mergeFanInMax) {
      const group = current.slice(start, start + mergeFanInMax);
      if (group.length === 1) {
        next.push(group[0]);
        continue;
      }
      const rows = group.reduce((sum, run) => sum + run.rows, 0);
      const merged = await spill.writeRun(schema, mergeSortedRuns(group, keys, schema, context, spill, reservation, spillBatchRows(rows)));
      context.metrics.spilledBytes = (context.metrics.spilledBytes ?? 0) + merged.bytes;
      // Listed at once so the caller's cleanup deletes it if a later step fails (release is idempotent).
      runs.push(merged);
      next.push(merged);
      for (const run of group) await spill.release(run);
    }
    runs.splice(0, runs.length, ...next);
  }
  const outputRows = Math.min(batchRowsMax, Math.max(...runs.map((run) => spillBatchRows(run.rows))));
  yield* mergeSortedRuns(runs, keys, schema, context, spill, reservation, outputRows);
}

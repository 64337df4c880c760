/**
 * ORDER BY: buffers all input (counted against the query's memory limit), sorts an index array
 * by the keys (stable), and streams the rows out in key order. With a spill area, input beyond
 * the limit is sorted in runs on disk and merged (external-sort.ts) instead of failing.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { SortKey } from '../plan/index.js';
import { prepareSortKeys, sortedIndices, takeBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { batchRowsMax, bufferInput, checkCancelled, MemoryReservation } from './execution-limits.js';
import { externalSort } from './external-sort.js';

/** Full sort. */
export class SortExec implements ExecutionPlan {
  readonly schema: Schema;
  readonly children: readonly ExecutionPlan[];

  constructor(readonly input: ExecutionPlan, private readonly keys: readonly SortKey[]) {
    this.schema = input.schema;
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    if (context.spill !== undefined) {
      yield* externalSort(this.input, this.keys, this.schema, context, context.spill);
      return;
    }
    const reservation = new MemoryReservation(context, 'SortExec');
    try {
      const buffered = await bufferInput(this.input, this.schema.fields.map((f) => f.type), context, reservation);
      if (buffered === null) return;
      const { batch: all, bytes } = buffered;
      // The index array and key columns roughly double what the rows take while sorting.
      reservation.resize(2 * bytes + all.length * 4);
      const order = sortedIndices(prepareSortKeys(this.keys, all), all.length);
      for (let start = 0; start < all.length; start += batchRowsMax) {
        checkCancelled(context);
        const end = Math.min(start + batchRowsMax, all.length);
        yield takeBatch(all, order.subarray(start, end), end - start);
      }
    } finally {
      reservation.release();
    }
  }
}

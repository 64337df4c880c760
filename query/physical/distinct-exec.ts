/**
 * SELECT DISTINCT: streams each row the first time its values appear (NULLs equal each other).
 * The table of seen rows counts against the query's memory limit.
 */
import type { Batch, Schema } from '../../storage/index.js';
import { GroupKeys, takeBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { checkCancelled, MemoryReservation } from './execution-limits.js';

/** Hash distinct. */
export class DistinctExec implements ExecutionPlan {
  readonly schema: Schema;
  readonly children: readonly ExecutionPlan[];

  constructor(readonly input: ExecutionPlan) {
    this.schema = input.schema;
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const reservation = new MemoryReservation(context, 'DistinctExec');
    try {
      const groups = new GroupKeys(this.schema.fields.map((f) => f.type));
      for await (const batch of this.input.execute(context)) {
        checkCancelled(context);
        const before = groups.groupCount;
        const ids = groups.assign(batch.columns, batch.length);
        reservation.resize(groups.bytes());
        // Group ids are numbered in order of first appearance: a row is new when its id is the next unseen one.
        const rows = new Int32Array(batch.length);
        let count = 0;
        let next = before;
        for (let i = 0; i < batch.length; i++) {
          if (ids[i] !== next) continue;
          rows[count++] = i;
          next++;
        }
        if (count > 0) yield count === batch.length ? batch : takeBatch(batch, rows, count);
      }
    } finally {
      reservation.release();
    }
  }
}

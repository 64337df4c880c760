/**
 * INTERSECT / EXCEPT [ALL]: numbers the right input's distinct rows with GroupKeys (NULLs equal,
 * as set operations compare rows) and counts them, then streams the left input: a row is kept by
 * INTERSECT while its value has been seen on the right more often than emitted, by EXCEPT once
 * it has been seen on the left more often than on the right; without ALL each value at most once.
 */
import type { Batch, Schema } from '../../storage/index.js';
import { GroupKeys, takeBatch, withType } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { checkCancelled, MemoryReservation } from './execution-limits.js';

/** Grows a counter array to hold index `size - 1`. */
function ensureSize(counts: Int32Array, size: number): Int32Array {
  if (size <= counts.length) return counts;
  const grown = new Int32Array(Math.max(size, counts.length * 2));
  grown.set(counts);
  return grown;
}

/** Hash intersect / except. */
export class SetOperationExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];

  constructor(readonly left: ExecutionPlan, readonly right: ExecutionPlan, private readonly op: 'intersect' | 'except', private readonly all: boolean, readonly schema: Schema) {
    this.children = [left, right];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const reservation = new MemoryReservation(context, this.op === 'intersect' ? 'IntersectExec' : 'ExceptExec');
    try {
      const types = this.schema.fields.map((f) => f.type);
      const groups = new GroupKeys(types);
      let rightCounts: Int32Array = new Int32Array(1024);
      for await (const batch of this.right.execute(context)) {
        checkCancelled(context);
        const ids = groups.assign(batch.columns.map((c, i) => withType(c, types[i])), batch.length);
        rightCounts = ensureSize(rightCounts, groups.groupCount);
        for (let i = 0; i < batch.length; i++) rightCounts[ids[i]]++;
        reservation.resize(groups.bytes() + rightCounts.byteLength);
      }
      let leftCounts: Int32Array = new Int32Array(rightCounts.length);
      for await (const batch of this.left.execute(context)) {
        checkCancelled(context);
        const ids = groups.assign(batch.columns.map((c, i) => withType(c, types[i])), batch.length);
        leftCounts = ensureSize(leftCounts, groups.groupCount);
        rightCounts = ensureSize(rightCounts, groups.groupCount);
        reservation.resize(groups.bytes() + rightCounts.byteLength + leftCounts.byteLength);
        const rows = new Int32Array(batch.length);
        const count = this.keep(ids, batch.length, leftCounts, rightCounts, rows);
        if (count > 0) yield count === batch.length ? batch : takeBatch(batch, rows, count);
      }
    } finally {
      reservation.release();
    }
  }

  /** Positions of the rows of one left batch the operation keeps; updates the left counts. */
  private keep(ids: Int32Array, n: number, leftCounts: Int32Array, rightCounts: Int32Array, rows: Int32Array): number {
    let count = 0;
    const intersect = this.op === 'intersect';
    for (let i = 0; i < n; i++) {
      const g = ids[i];
      const seen = leftCounts[g]++;
      const onRight = rightCounts[g];
      const kept = this.all ? (intersect ? seen < onRight : seen >= onRight) : seen === 0 && (intersect ? onRight > 0 : onRight === 0);
      if (kept) rows[count++] = i;
    }
    return count;
  }
}

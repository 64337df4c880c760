/**
 * ORDER BY … LIMIT n: keeps only the best offset + limit rows while reading. Input is buffered
 * until it holds twice that many (or a batch's worth), then sorted and cut back, so memory stays
 * bounded by the limit, not the input.
 */
import type { Batch, Schema, Vector } from '../../storage/index.js';
import type { SortKey } from '../plan/index.js';
import { concatBatches, evaluateExpr, prepareSortKeys, rowsNotAfter, sliceBatch, sliceVector, sortedIndices, takeBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { batchBytes, batchRowsMax, boundedBatches, checkCancelled, MemoryReservation } from './execution-limits.js';

/** Top-N by partial sorts. */
export class TopNExec implements ExecutionPlan {
  readonly schema: Schema;
  readonly children: readonly ExecutionPlan[];

  constructor(readonly input: ExecutionPlan, private readonly keys: readonly SortKey[], private readonly limit: number, private readonly offset: number) {
    this.schema = input.schema;
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const keep = this.offset + this.limit;
    if (this.limit <= 0) return;
    const reservation = new MemoryReservation(context, 'TopNExec');
    const types = this.schema.fields.map((f) => f.type);
    const rowsBeforeCut = Math.max(2 * keep, batchRowsMax);
    try {
      let buffer: Batch[] = [];
      let buffered = 0;
      // Once N rows are held, the first key of the N-th row bounds what can still get in.
      let boundary: Vector | null = null;
      for await (const input of this.input.execute(context)) {
        checkCancelled(context);
        const batch = boundary === null ? input : this.notAfter(input, boundary);
        if (batch.length === 0) continue;
        buffer.push(batch);
        buffered += batch.length;
        if (buffered >= rowsBeforeCut) {
          const best = this.best(concatBatches(types, buffer), keep);
          buffer = [best];
          buffered = best.length;
          if (best.length === keep) boundary = sliceVector(evaluateExpr(this.keys[0].expr, best), keep - 1, keep);
        }
        reservation.resize(buffer.reduce((sum, b) => sum + batchBytes(b, new WeakSet()), 0));
      }
      if (buffered === 0) return;
      const result = this.best(concatBatches(types, buffer), keep);
      if (result.length > this.offset) yield* boundedBatches(sliceBatch(result, this.offset, result.length));
    } finally {
      reservation.release();
    }
  }

  /** The rows of a batch that do not sort after the boundary on the first key. */
  private notAfter(batch: Batch, boundary: Vector): Batch {
    const { indices, count } = rowsNotAfter(this.keys[0], evaluateExpr(this.keys[0].expr, batch), boundary);
    return count === batch.length ? batch : takeBatch(batch, indices, count);
  }

  /** The first `keep` rows of a batch in key order (stable). */
  private best(batch: Batch, keep: number): Batch {
    const order = sortedIndices(prepareSortKeys(this.keys, batch), batch.length);
    const count = Math.min(keep, batch.length);
    return takeBatch(batch, order, count);
  }
}

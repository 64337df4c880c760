/**
 * GROUP BY with aggregates over a hash table: consumes all input, then streams one row per group
 * (group keys first, then aggregates). Without group keys it yields exactly one row, even on
 * empty input. Its tables count against the query's memory limit.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { AggregateExpr, Expr } from '../plan/index.js';
import { GroupedAggregation } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { boundedBatches, checkCancelled, MemoryReservation } from './execution-limits.js';

/** Hash aggregation. */
export class HashAggregateExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];

  constructor(
    readonly input: ExecutionPlan,
    private readonly groupBy: readonly Expr[],
    private readonly aggregates: readonly AggregateExpr[],
    readonly schema: Schema,
  ) {
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const reservation = new MemoryReservation(context, 'HashAggregateExec');
    try {
      const aggregation = new GroupedAggregation(this.groupBy, this.aggregates);
      for await (const batch of this.input.execute(context)) {
        checkCancelled(context);
        aggregation.add(batch);
        reservation.resize(aggregation.bytes());
      }
      checkCancelled(context);
      yield* boundedBatches(aggregation.finish());
    } finally {
      reservation.release();
    }
  }
}

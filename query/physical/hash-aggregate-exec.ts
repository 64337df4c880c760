/**
 * GROUP BY with aggregates over a hash table: consumes all input, then streams one row per group
 * (group keys first, then aggregates). Without group keys it yields exactly one row, even on
 * empty input. Its tables count against the query's memory limit. Filters directly below it are
 * evaluated here, so rows that pass need not be copied into new batches first. With a spill area,
 * groups beyond the limit are partitioned to disk and aggregated in turn (spilling-aggregate.ts).
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { AggregateExpr, Expr } from '../plan/index.js';
import { GroupedAggregation, RowFilter } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { boundedBatches, checkCancelled, MemoryReservation } from './execution-limits.js';
import { spillingAggregate } from './spilling-aggregate.js';

/** Hash aggregation. */
export class HashAggregateExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];

  constructor(
    readonly input: ExecutionPlan,
    private readonly groupBy: readonly Expr[],
    private readonly aggregates: readonly AggregateExpr[],
    readonly schema: Schema,
    /** Filters of the input applied here (from a Filter or Scan below) so kept rows need not be copied. */
    private readonly predicates: readonly Expr[] = [],
  ) {
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    if (context.spill !== undefined && this.groupBy.length > 0) {
      const spec = { groupBy: this.groupBy, aggregates: this.aggregates };
      yield* spillingAggregate(this.input.execute(context), this.input.schema, spec, this.predicates, context, context.spill);
      return;
    }
    const reservation = new MemoryReservation(context, 'HashAggregateExec');
    try {
      const aggregation = new GroupedAggregation(this.groupBy, this.aggregates);
      const filter = this.predicates.length === 0 ? null : new RowFilter(this.predicates);
      for await (const batch of this.input.execute(context)) {
        checkCancelled(context);
        aggregation.add(batch, filter === null ? null : filter.select(batch));
        reservation.resize(aggregation.bytes());
      }
      checkCancelled(context);
      yield* boundedBatches(aggregation.finish());
    } finally {
      reservation.release();
    }
  }
}

/** Keeps the rows where a predicate is true (NULL and false drop the row). */
import type { Batch, Schema } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { conjuncts, RowFilter } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { checkCancelled } from './execution-limits.js';

/** Filter: evaluates the predicate's conjuncts with a selection vector and compacts each batch once. */
export class FilterExec implements ExecutionPlan {
  readonly schema: Schema;
  readonly children: readonly ExecutionPlan[];
  private readonly predicates: readonly Expr[];

  constructor(readonly input: ExecutionPlan, predicate: Expr) {
    this.schema = input.schema;
    this.children = [input];
    this.predicates = conjuncts(predicate);
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const filter = new RowFilter(this.predicates);
    for await (const batch of this.input.execute(context)) {
      checkCancelled(context);
      const kept = filter.apply(batch);
      if (kept.length > 0) yield kept;
    }
  }
}

/** Computes one expression per output column. */
import type { Batch, Schema } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { evaluateExpr } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { checkCancelled } from './execution-limits.js';

/** Projection: each batch in, one batch of the evaluated expressions out (same rows). */
export class ProjectExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];

  constructor(readonly input: ExecutionPlan, private readonly exprs: readonly Expr[], readonly schema: Schema) {
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    for await (const batch of this.input.execute(context)) {
      checkCancelled(context);
      yield { length: batch.length, columns: this.exprs.map((expr) => evaluateExpr(expr, batch)) };
    }
  }
}

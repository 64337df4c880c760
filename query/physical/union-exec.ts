/** UNION ALL: the left input's rows, then the right input's (same column types; the binder casts). */
import type { Batch, Schema } from '../../storage/index.js';
import { withType } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { checkCancelled } from './execution-limits.js';

/** Concatenation of two inputs' streams. */
export class UnionExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];

  constructor(readonly left: ExecutionPlan, readonly right: ExecutionPlan, readonly schema: Schema) {
    this.children = [left, right];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const types = this.schema.fields.map((f) => f.type);
    for (const input of this.children) {
      for await (const batch of input.execute(context)) {
        checkCancelled(context);
        // VARCHAR(n) and VARCHAR share a representation: relabel to the output's types.
        if (batch.length > 0) yield { length: batch.length, columns: batch.columns.map((column, c) => withType(column, types[c])) };
      }
    }
  }
}

/** OFFSET then LIMIT. */
import type { Batch, Schema } from '../../storage/index.js';
import { sliceBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { checkCancelled } from './execution-limits.js';

/** Limit: skips `offset` rows, passes at most `limit` (null: all), and stops pulling its input once done. */
export class LimitExec implements ExecutionPlan {
  readonly schema: Schema;
  readonly children: readonly ExecutionPlan[];

  constructor(readonly input: ExecutionPlan, private readonly limit: number | null, private readonly offset: number) {
    this.schema = input.schema;
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    let skip = this.offset;
    let remaining = this.limit ?? Infinity;
    if (remaining <= 0) return;
    // Leaving the loop early calls return() on the input, which closes the whole subtree.
    for await (const batch of this.input.execute(context)) {
      checkCancelled(context);
      if (skip >= batch.length) {
        skip -= batch.length;
        continue;
      }
      const end = Math.min(batch.length, skip + remaining);
      yield sliceBatch(batch, skip, end);
      remaining -= end - skip;
      skip = 0;
      if (remaining <= 0) return;
    }
  }
}

/**
 * FuseTopN: Sort followed by LIMIT becomes TopN, which keeps only offset + limit rows in a heap
 * instead of sorting everything.
 */
import { transformPlanUp } from '../plan/plan-utils.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

/** The FuseTopN rule. */
export const FuseTopN: OptimizerRule = {
  name: 'FuseTopN',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformPlanUp(plan, (node) => {
      if (node.kind !== 'limit' || node.limit === null || node.input.kind !== 'sort') return node;
      const sort = node.input;
      return { kind: 'top_n', input: sort.input, keys: sort.keys, limit: node.limit, offset: node.offset, schema: node.schema };
    });
  },
};

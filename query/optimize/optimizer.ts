/**
 * Runs the optimizer rules in order. The order matters: constants are folded before booleans
 * are simplified, filters reach the scans (and join conditions their joins) before joins are
 * ordered by the estimated sizes of their filtered inputs, projections are narrowed after that,
 * pruning reads the final scan filters, and TopN fusing comes last.
 */
import { StrataError } from '../../storage/index.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { OptimizerContext, OptimizerRule } from './optimizer-rule.js';
import { FoldConstants } from './fold-constants.js';
import { SimplifyBooleans } from './simplify-booleans.js';
import { PushDownFilter } from './push-down-filter.js';
import { PushDownProjection } from './push-down-projection.js';
import { PrunePartitions } from './prune-partitions.js';
import { FuseTopN } from './fuse-top-n.js';
import { ReorderJoins } from './reorder-joins.js';

/** Every rule, in the order they run. */
export const optimizerRules: readonly OptimizerRule[] = [FoldConstants, SimplifyBooleans, PushDownFilter, ReorderJoins, PushDownProjection, PrunePartitions, FuseTopN];

/** Rule names, for validation and docs. */
export const optimizerRuleNames: readonly string[] = optimizerRules.map((r) => r.name);

/** The optimized plan and the names of the rules that changed it. */
export interface OptimizedPlan {
  readonly plan: LogicalPlan;
  readonly applied: readonly string[];
}

/** Throws when a disabled-rule name is not a rule (a typo would silently disable nothing). */
export function validateRuleNames(names: readonly string[]): void {
  for (const name of names) {
    if (!optimizerRuleNames.includes(name)) {
      throw new StrataError('input', 'UNKNOWN_OPTIMIZER_RULE', `unknown optimizer rule '${name}' in disabledRules; the rules are ${optimizerRuleNames.join(', ')}`);
    }
  }
}

/** Applies every rule not disabled, once, in order. */
export function optimize(plan: LogicalPlan, context: OptimizerContext, disabledRules: readonly string[] = []): OptimizedPlan {
  let current = plan;
  const applied: string[] = [];
  for (const rule of optimizerRules) {
    if (disabledRules.includes(rule.name)) continue;
    const next = rule.apply(current, context);
    if (next !== current) applied.push(rule.name);
    current = next;
  }
  return { plan: current, applied };
}

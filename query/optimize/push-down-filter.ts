/**
 * PushDownFilter: moves filter conjuncts as close to the data as they can go: through
 * projections (substituting the projected expressions), sorts and DISTINCT, below aggregates
 * when they only read GROUP BY keys, and finally into Scan.filters, where the scan drops rows
 * while decoding and PrunePartitions can skip whole partitions.
 */
import type { Expr } from '../plan/expr.js';
import { collectColumns, conjunction, splitConjunction, transformUp } from '../plan/expr-utils.js';
import { planInputs, withInput } from '../plan/plan-utils.js';
import type { Aggregate, LogicalPlan } from '../plan/logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

/** Replaces references to a node's output columns by the expressions that compute them. */
function substitute(expr: Expr, outputs: readonly Expr[]): Expr {
  return transformUp(expr, (node) => (node.kind === 'column' ? outputs[node.index] : node));
}

function filterOver(input: LogicalPlan, conjuncts: readonly Expr[]): LogicalPlan {
  if (conjuncts.length === 0) return input;
  return { kind: 'filter', input, predicate: conjunction(conjuncts), schema: input.schema };
}

function pushIntoAggregate(aggregate: Aggregate, conjuncts: readonly Expr[]): LogicalPlan {
  const keyCount = aggregate.groupBy.length;
  const below: Expr[] = [];
  const above: Expr[] = [];
  for (const conjunct of conjuncts) {
    const columns = [...collectColumns(conjunct, new Set())];
    // Without keys the aggregate yields one row even for no input: nothing may move below it.
    if (keyCount > 0 && columns.every((c) => c < keyCount)) below.push(substitute(conjunct, aggregate.groupBy));
    else above.push(conjunct);
  }
  if (below.length === 0) return filterOver(withInput(aggregate, pushDown(aggregate.input)), above);
  const input = pushConjuncts(aggregate.input, below);
  return filterOver({ ...aggregate, input }, above);
}

/** Places conjuncts (over `plan`'s output) as deep below `plan` as they may go. */
function pushConjuncts(plan: LogicalPlan, conjuncts: readonly Expr[]): LogicalPlan {
  switch (plan.kind) {
    case 'scan': return { ...plan, filters: [...plan.filters, ...conjuncts] };
    case 'filter': return pushConjuncts(plan.input, [...splitConjunction(plan.predicate), ...conjuncts]);
    case 'project': return withInput(plan, pushConjuncts(plan.input, conjuncts.map((c) => substitute(c, plan.exprs))));
    case 'sort':
    case 'distinct': return withInput(plan, pushConjuncts(plan.input, conjuncts));
    case 'aggregate': return pushIntoAggregate(plan, conjuncts);
    default: return filterOver(pushDown(plan), conjuncts);
  }
}

/** Pushes every Filter of a plan down. */
export function pushDown(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'filter') return pushConjuncts(plan.input, splitConjunction(plan.predicate));
  const inputs = planInputs(plan);
  return inputs.length === 0 ? plan : withInput(plan, pushDown(inputs[0]));
}

/** The PushDownFilter rule. */
export const PushDownFilter: OptimizerRule = {
  name: 'PushDownFilter',
  apply(plan: LogicalPlan): LogicalPlan {
    return pushDown(plan);
  },
};

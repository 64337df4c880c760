/**
 * PushDownFilter: moves filter conjuncts as close to the data as they can go: through
 * projections (substituting the projected expressions), sorts and DISTINCT, below aggregates
 * when they only read GROUP BY keys, and finally into Scan.filters, where the scan drops rows
 * while decoding and PrunePartitions can skip whole partitions.
 */
import type { Expr } from '../plan/expr.js';
import { collectColumns, conjunction, splitConjunction, transformUp } from '../plan/expr-utils.js';
import { planInputs, withInput, withInputs } from '../plan/plan-utils.js';
import type { Aggregate, Join, LogicalPlan } from '../plan/logical-plan.js';
import { conditionSide, joinConditions, makeJoin, toRightInput } from '../plan/join-utils.js';
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
    case 'join': return pushIntoJoin(plan, conjuncts);
    case 'set_operation':
      // A row passes the filter on either side exactly when it passes it in the result.
      if (conjuncts.length === 0) return withInputs(plan, [pushDown(plan.left), pushDown(plan.right)]);
      return withInputs(plan, [pushConjuncts(plan.left, conjuncts), pushConjuncts(plan.right, conjuncts)]);
    default: return filterOver(pushDown(plan), conjuncts);
  }
}

/** Conjuncts split by the join input they read: left only, right only (renumbered to it), or both / the join's output. */
interface JoinConjuncts {
  readonly left: Expr[];
  readonly right: Expr[];
  readonly rest: Expr[];
}

function splitBySide(conjuncts: readonly Expr[], leftWidth: number, pushLeft: boolean, pushRight: boolean): JoinConjuncts {
  const result: JoinConjuncts = { left: [], right: [], rest: [] };
  for (const conjunct of conjuncts) {
    const side = conditionSide(conjunct, leftWidth);
    if ((side === 'left' || side === 'none') && pushLeft) result.left.push(conjunct);
    else if (side === 'right' && pushRight) result.right.push(toRightInput(conjunct, leftWidth));
    else result.rest.push(conjunct);
  }
  return result;
}

/**
 * Filters above a join and the join's own condition, placed as deep as each may go: an inner
 * join takes conditions between its sides as keys or residual and passes one-sided ones to
 * that side; outer joins only pass down what cannot change which rows get NULLs.
 */
function pushIntoJoin(join: Join, above: readonly Expr[]): LogicalPlan {
  const leftWidth = join.left.schema.fields.length;
  const type = join.joinType;
  const own = joinConditions(join);
  if (type === 'inner') {
    const split = splitBySide([...own, ...above], leftWidth, true, true);
    const left = pushConjuncts(join.left, split.left);
    const right = pushConjuncts(join.right, split.right);
    return { ...makeJoin('inner', left, right, split.rest), distribution: join.distribution };
  }
  // Above the join: only conditions on the side whose rows pass through unchanged may go below.
  const keepsLeft = type === 'left' || type === 'single' || type === 'semi' || type === 'anti' || type === 'mark';
  const markColumn = type === 'mark' ? leftWidth : -1;
  const aboveSplit = splitBySide(above.filter((c) => !collectColumns(c, new Set()).has(markColumn)), leftWidth, keepsLeft, type === 'right');
  const stay = [...aboveSplit.rest, ...above.filter((c) => collectColumns(c, new Set()).has(markColumn))];
  // The join's own condition may filter the side that gets NULLs (or is only probed for matches) beforehand.
  const ownSplit = splitBySide(own, leftWidth, type === 'right' || type === 'semi', type !== 'right' && type !== 'full');
  const left = pushConjuncts(join.left, [...aboveSplit.left, ...ownSplit.left]);
  const right = pushConjuncts(join.right, [...aboveSplit.right, ...ownSplit.right]);
  const rebuilt: LogicalPlan = { ...makeJoin(type, left, right, ownSplit.rest, join.nullAware), distribution: join.distribution };
  return filterOver(rebuilt, stay);
}

/** Pushes every Filter of a plan down. */
export function pushDown(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'filter') return pushConjuncts(plan.input, splitConjunction(plan.predicate));
  if (plan.kind === 'join') return pushIntoJoin(plan, []);
  const inputs = planInputs(plan);
  return inputs.length === 0 ? plan : withInputs(plan, inputs.map(pushDown));
}

/** The PushDownFilter rule. */
export const PushDownFilter: OptimizerRule = {
  name: 'PushDownFilter',
  apply(plan: LogicalPlan): LogicalPlan {
    return pushDown(plan);
  },
};

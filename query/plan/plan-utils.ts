/**
 * Helpers over logical plans shared by the optimizer, EXPLAIN and the engine: children,
 * rebuilding with new inputs, walking every scan.
 */
import type { Expr } from './expr.js';
import type { LogicalPlan, Scan, SortKey } from './logical-plan.js';

/** The inputs of a plan node (none for leaves; left then right for joins and set operations). */
export function planInputs(plan: LogicalPlan): readonly LogicalPlan[] {
  switch (plan.kind) {
    case 'scan':
    case 'values': return [];
    case 'exchange': return [plan.fragment];
    case 'join':
    case 'set_operation': return [plan.left, plan.right];
    default: return [plan.input];
  }
}

/** The node with a new input (leaves are returned unchanged); the same object when the input is unchanged. Single-input nodes only. */
export function withInput(plan: LogicalPlan, input: LogicalPlan): LogicalPlan {
  if (plan.kind === 'join' || plan.kind === 'set_operation') throw new Error(`withInput: ${plan.kind} has two inputs; use withInputs`);
  if (plan.kind === 'exchange') return plan.fragment === input ? plan : { ...plan, fragment: input };
  if (plan.kind === 'scan' || plan.kind === 'values' || plan.input === input) return plan;
  return { ...plan, input } as LogicalPlan;
}

/** The node with new inputs (in planInputs order); the same object when none changed. */
export function withInputs(plan: LogicalPlan, inputs: readonly LogicalPlan[]): LogicalPlan {
  if (plan.kind === 'join' || plan.kind === 'set_operation') {
    const [left, right] = inputs;
    return left === plan.left && right === plan.right ? plan : { ...plan, left, right };
  }
  return inputs.length === 0 ? plan : withInput(plan, inputs[0]);
}

/** Rewrites a plan bottom-up: inputs first, then `rewrite` on the rebuilt node. */
export function transformPlanUp(plan: LogicalPlan, rewrite: (node: LogicalPlan) => LogicalPlan): LogicalPlan {
  const inputs = planInputs(plan);
  const rebuilt = inputs.length === 0 ? plan : withInputs(plan, inputs.map((input) => transformPlanUp(input, rewrite)));
  return rewrite(rebuilt);
}

/** Every Scan in a plan, in tree order. */
export function collectScans(plan: LogicalPlan, into: Scan[] = []): Scan[] {
  if (plan.kind === 'scan') into.push(plan);
  for (const input of planInputs(plan)) collectScans(input, into);
  return into;
}

/** Applies `map` to every expression a node holds (not its inputs'); the same node when nothing changed. */
export function mapNodeExprs(plan: LogicalPlan, map: (expr: Expr) => Expr): LogicalPlan {
  const mapAll = (exprs: readonly Expr[]): readonly Expr[] => {
    const mapped = exprs.map(map);
    return mapped.every((e, i) => e === exprs[i]) ? exprs : mapped;
  };
  const mapKeys = (keys: readonly SortKey[]): readonly SortKey[] => {
    const mapped = keys.map((k) => {
      const expr = map(k.expr);
      return expr === k.expr ? k : { ...k, expr };
    });
    return mapped.every((k, i) => k === keys[i]) ? keys : mapped;
  };
  switch (plan.kind) {
    case 'scan': {
      const filters = mapAll(plan.filters);
      return filters === plan.filters ? plan : { ...plan, filters };
    }
    case 'filter': {
      const predicate = map(plan.predicate);
      return predicate === plan.predicate ? plan : { ...plan, predicate };
    }
    case 'project': {
      const exprs = mapAll(plan.exprs);
      return exprs === plan.exprs ? plan : { ...plan, exprs };
    }
    case 'aggregate': {
      const groupBy = mapAll(plan.groupBy);
      const aggregates = plan.aggregates.map((a) => {
        const arg = a.arg === null ? null : map(a.arg);
        const filter = a.filter === null ? null : map(a.filter);
        return arg === a.arg && filter === a.filter ? a : { ...a, arg, filter };
      });
      const same = groupBy === plan.groupBy && aggregates.every((a, i) => a === plan.aggregates[i]);
      return same ? plan : { ...plan, groupBy, aggregates };
    }
    case 'sort':
    case 'top_n': {
      const keys = mapKeys(plan.keys);
      return keys === plan.keys ? plan : { ...plan, keys };
    }
    case 'values': {
      const rows = plan.rows.map(mapAll);
      return rows.every((r, i) => r === plan.rows[i]) ? plan : { ...plan, rows };
    }
    case 'join': {
      const leftKeys = mapAll(plan.leftKeys);
      const rightKeys = mapAll(plan.rightKeys);
      const filter = plan.filter === null ? null : map(plan.filter);
      return leftKeys === plan.leftKeys && rightKeys === plan.rightKeys && filter === plan.filter ? plan : { ...plan, leftKeys, rightKeys, filter };
    }
    case 'window': {
      const windows = plan.windows.map((w) => {
        const args = mapAll(w.args);
        const partitionBy = mapAll(w.partitionBy);
        const orderBy = mapKeys(w.orderBy);
        return args === w.args && partitionBy === w.partitionBy && orderBy === w.orderBy ? w : { ...w, args, partitionBy, orderBy };
      });
      return windows.every((w, i) => w === plan.windows[i]) ? plan : { ...plan, windows };
    }
    case 'limit':
    case 'distinct':
    case 'set_operation':
    case 'exchange': return plan;
  }
}

/**
 * PushDownProjection: each node asks its input only for the columns it uses, so scans decode
 * only the columns a query needs (Scan.projection) and unused projections and aggregates are
 * dropped. Works top-down with the set of output positions the parent needs, and bottom-up
 * with the mapping from old to new positions that parents use to renumber their references.
 */
import type { Expr } from '../plan/expr.js';
import { collectAggregateColumns, collectColumns, remapColumns } from '../plan/expr-utils.js';
import type { Join, LogicalPlan, Window } from '../plan/logical-plan.js';
import { joinSchema } from '../plan/join-utils.js';
import { planInputs } from '../plan/plan-utils.js';
import type { OptimizerRule } from './optimizer-rule.js';

interface Pruned {
  readonly plan: LogicalPlan;
  /** Old output position → new output position, for every position still produced. */
  readonly mapping: ReadonlyMap<number, number>;
}

function sorted(set: ReadonlySet<number>): number[] {
  return [...set].sort((a, b) => a - b);
}

function positionsMap(kept: readonly number[]): Map<number, number> {
  return new Map(kept.map((old, i) => [old, i]));
}

function identity(count: number): Map<number, number> {
  return new Map(Array.from({ length: count }, (_, i) => [i, i]));
}

function union(required: ReadonlySet<number>, exprs: readonly Expr[]): Set<number> {
  const result = new Set(required);
  for (const expr of exprs) collectColumns(expr, result);
  return result;
}

function prune(plan: LogicalPlan, required: ReadonlySet<number>): Pruned {
  switch (plan.kind) {
    case 'scan': {
      const kept = sorted(union(required, plan.filters));
      const mapping = positionsMap(kept);
      const projection = kept.map((i) => plan.projection[i]);
      const filters = plan.filters.map((f) => remapColumns(f, mapping));
      const unchanged = kept.length === plan.projection.length;
      const schema = { fields: kept.map((i) => plan.schema.fields[i]) };
      return { plan: unchanged ? plan : { ...plan, projection, filters, schema }, mapping };
    }
    case 'filter': {
      const input = prune(plan.input, union(required, [plan.predicate]));
      const predicate = remapColumns(plan.predicate, input.mapping);
      return { plan: { ...plan, input: input.plan, predicate, schema: input.plan.schema }, mapping: input.mapping };
    }
    case 'project': {
      const kept = sorted(required);
      const exprs = kept.map((i) => plan.exprs[i]);
      const input = prune(plan.input, union(new Set(), exprs));
      const schema = { fields: kept.map((i) => plan.schema.fields[i]) };
      const node: LogicalPlan = { ...plan, input: input.plan, exprs: exprs.map((e) => remapColumns(e, input.mapping)), schema };
      return { plan: node, mapping: positionsMap(kept) };
    }
    case 'aggregate': return pruneAggregate(plan, required);
    case 'sort':
    case 'top_n': {
      const input = prune(plan.input, union(required, plan.keys.map((k) => k.expr)));
      const keys = plan.keys.map((k) => ({ ...k, expr: remapColumns(k.expr, input.mapping) }));
      return { plan: { ...plan, input: input.plan, keys, schema: input.plan.schema } as LogicalPlan, mapping: input.mapping };
    }
    case 'limit': {
      const input = prune(plan.input, required);
      return { plan: { ...plan, input: input.plan, schema: input.plan.schema }, mapping: input.mapping };
    }
    case 'distinct': {
      // Every column decides which rows are duplicates: all of them stay.
      const input = prune(plan.input, new Set(identity(plan.schema.fields.length).keys()));
      return { plan: { ...plan, input: input.plan }, mapping: identity(plan.schema.fields.length) };
    }
    case 'values':
    // Exchanges are placed after optimization; one seen here is kept whole.
    case 'exchange': return { plan, mapping: identity(plan.schema.fields.length) };
    case 'join': return pruneJoin(plan, required);
    case 'window': return pruneWindow(plan, required);
    case 'set_operation': {
      // Rows are compared (or stacked) column by column: every column of both sides stays.
      const all = new Set(identity(plan.schema.fields.length).keys());
      const left = prune(plan.left, all);
      const right = prune(plan.right, all);
      return { plan: { ...plan, left: left.plan, right: right.plan }, mapping: identity(plan.schema.fields.length) };
    }
  }
}

/** Renumbers an expression over left ++ right through the two inputs' mappings. */
function remapJoined(expr: Expr, leftWidth: number, left: ReadonlyMap<number, number>, right: ReadonlyMap<number, number>, newLeftWidth: number): Expr {
  const mapping = new Map<number, number>();
  for (const c of collectColumns(expr, new Set())) {
    const target = c < leftWidth ? left.get(c) : right.get(c - leftWidth);
    if (target !== undefined) mapping.set(c, c < leftWidth ? target : newLeftWidth + target);
  }
  return remapColumns(expr, mapping);
}

function pruneJoin(plan: Join, required: ReadonlySet<number>): Pruned {
  const leftWidth = plan.left.schema.fields.length;
  const outputsRight = plan.joinType !== 'semi' && plan.joinType !== 'anti' && plan.joinType !== 'mark';
  const filterColumns = plan.filter === null ? new Set<number>() : collectColumns(plan.filter, new Set());
  const leftNeeded = union(new Set([...required, ...filterColumns].filter((c) => c < leftWidth)), plan.leftKeys);
  const rightNeeded = union(new Set([...(outputsRight ? required : []), ...filterColumns].filter((c) => c >= leftWidth).map((c) => c - leftWidth)), plan.rightKeys);
  const left = prune(plan.left, leftNeeded);
  const right = prune(plan.right, rightNeeded);
  const newLeftWidth = left.plan.schema.fields.length;
  const leftKeys = plan.leftKeys.map((k) => remapColumns(k, left.mapping));
  const rightKeys = plan.rightKeys.map((k) => remapColumns(k, right.mapping));
  const filter = plan.filter === null ? null : remapJoined(plan.filter, leftWidth, left.mapping, right.mapping, newLeftWidth);
  const node = { ...plan, left: left.plan, right: right.plan, leftKeys, rightKeys, filter, schema: joinSchema(plan.joinType, left.plan.schema, right.plan.schema) };
  const mapping = new Map(left.mapping);
  if (outputsRight) for (const [old, next] of right.mapping) mapping.set(leftWidth + old, newLeftWidth + next);
  if (plan.joinType === 'mark') mapping.set(leftWidth, newLeftWidth);
  return { plan: node, mapping };
}

function pruneWindow(plan: Window, required: ReadonlySet<number>): Pruned {
  const inputWidth = plan.input.schema.fields.length;
  const kept = plan.windows.map((_, i) => i).filter((i) => required.has(inputWidth + i));
  const needed = new Set([...required].filter((c) => c < inputWidth));
  for (const i of kept) {
    const w = plan.windows[i];
    for (const e of [...w.args, ...w.partitionBy, ...w.orderBy.map((k) => k.expr)]) collectColumns(e, needed);
  }
  const input = prune(plan.input, needed);
  if (kept.length === 0) return input;
  const remap = (e: Expr): Expr => remapColumns(e, input.mapping);
  const windows = kept.map((i) => {
    const w = plan.windows[i];
    return { ...w, args: w.args.map(remap), partitionBy: w.partitionBy.map(remap), orderBy: w.orderBy.map((k) => ({ ...k, expr: remap(k.expr) })) };
  });
  const newWidth = input.plan.schema.fields.length;
  const fields = [...input.plan.schema.fields, ...kept.map((i) => plan.schema.fields[inputWidth + i])];
  const mapping = new Map(input.mapping);
  kept.forEach((i, k) => mapping.set(inputWidth + i, newWidth + k));
  return { plan: { ...plan, input: input.plan, windows, schema: { fields } }, mapping };
}

function pruneAggregate(plan: Extract<LogicalPlan, { kind: 'aggregate' }>, required: ReadonlySet<number>): Pruned {
  const keyCount = plan.groupBy.length;
  // Keys define the groups, so all stay; unused aggregates go.
  const keptAggregates = plan.aggregates.map((_, i) => i).filter((i) => required.has(keyCount + i));
  const needed = union(new Set(), plan.groupBy);
  for (const i of keptAggregates) collectAggregateColumns(plan.aggregates[i], needed);
  const input = prune(plan.input, needed);
  const groupBy = plan.groupBy.map((k) => remapColumns(k, input.mapping));
  const aggregates = keptAggregates.map((i) => {
    const a = plan.aggregates[i];
    return {
      ...a,
      arg: a.arg === null ? null : remapColumns(a.arg, input.mapping),
      filter: a.filter === null ? null : remapColumns(a.filter, input.mapping),
    };
  });
  const kept = [...plan.groupBy.map((_, i) => i), ...keptAggregates.map((i) => keyCount + i)];
  const schema = { fields: kept.map((i) => plan.schema.fields[i]) };
  return { plan: { ...plan, input: input.plan, groupBy, aggregates, schema }, mapping: positionsMap(kept) };
}

/** True when two plans are the same tree of the same node kinds with the same projections (cheap change test). */
function sameShape(a: LogicalPlan, b: LogicalPlan): boolean {
  if (a.kind !== b.kind || a.schema.fields.length !== b.schema.fields.length) return false;
  if (a.kind === 'scan' && b.kind === 'scan') return a.projection.length === b.projection.length;
  if (a.kind === 'aggregate' && b.kind === 'aggregate' && a.aggregates.length !== b.aggregates.length) return false;
  if (a.kind === 'window' && b.kind === 'window' && a.windows.length !== b.windows.length) return false;
  if (a.kind === 'exchange' || b.kind === 'exchange') return a === b;
  const inputsA = planInputs(a);
  const inputsB = planInputs(b);
  return inputsA.length === inputsB.length && inputsA.every((input, i) => sameShape(input, inputsB[i]));
}

/** The PushDownProjection rule. */
export const PushDownProjection: OptimizerRule = {
  name: 'PushDownProjection',
  apply(plan: LogicalPlan): LogicalPlan {
    const pruned = prune(plan, new Set(identity(plan.schema.fields.length).keys()));
    // Report "no change" (the same object) when no column was dropped anywhere.
    return sameShape(plan, pruned.plan) ? plan : pruned.plan;
  },
};

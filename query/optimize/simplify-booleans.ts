/**
 * SimplifyBooleans: flattens nested AND/OR, drops neutral TRUE/FALSE operands, short-circuits
 * on absorbing ones (x AND FALSE is FALSE even when x is NULL), removes double negation and
 * IS [NOT] NULL on columns declared NOT NULL; then drops filters that are always true and
 * replaces filters that are never true by an empty Values node (nothing is read at all).
 */
import { Types, type Schema } from '../../storage/index.js';
import type { Expr } from '../plan/expr.js';
import { call, conjunction, exprEquals, literal, splitConjunction, transformUp } from '../plan/expr-utils.js';
import { mapNodeExprs, planInputs, transformPlanUp } from '../plan/plan-utils.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

function isBooleanLiteral(expr: Expr, value: boolean): boolean {
  return expr.kind === 'literal' && expr.value === value;
}

/** The simplified junction, or null when it is already as simple as it gets. */
function simplifyJunction(fn: 'and' | 'or', args: readonly Expr[]): Expr | null {
  const absorbing = fn === 'or';
  const flat = args.flatMap((a) => (a.kind === 'call' && a.fn === fn ? a.args : [a]));
  if (flat.some((a) => isBooleanLiteral(a, absorbing))) return literal(absorbing, Types.boolean);
  const kept = flat.filter((a) => !isBooleanLiteral(a, !absorbing));
  if (kept.length === 0) return literal(!absorbing, Types.boolean);
  if (kept.length === 1) return kept[0];
  const unchanged = kept.length === args.length && kept.every((a, i) => a === args[i]);
  return unchanged ? null : call(fn, kept, Types.boolean);
}

/**
 * (A AND B) OR (A AND C) → A AND (B OR C): a condition every arm of an OR shares is taken out, so
 * a join key written inside each arm (TPC-H Q19) becomes a key, and a filter a pushable conjunct.
 */
function factorOr(args: readonly Expr[]): Expr | null {
  const arms = args.map(splitConjunction);
  const common = arms[0].filter((c) => arms.every((arm) => arm.some((other) => exprEquals(other, c))));
  if (common.length === 0) return null;
  const rests = arms.map((arm) => arm.filter((c) => !common.some((k) => exprEquals(k, c))));
  // An arm with nothing left is true: the whole OR is.
  if (rests.some((rest) => rest.length === 0)) return conjunction(common);
  return conjunction([...common, call('or', rests.map(conjunction), Types.boolean)]);
}

/** Simplifies one boolean expression; `input` gives column nullability when known. */
export function simplifyExpr(expr: Expr, input: Schema | null): Expr {
  return transformUp(expr, (node) => {
    if (node.kind === 'call' && (node.fn === 'and' || node.fn === 'or')) {
      const simplified = simplifyJunction(node.fn, node.args) ?? node;
      if (simplified.kind === 'call' && simplified.fn === 'or') return factorOr(simplified.args) ?? simplified;
      return simplified;
    }
    if (node.kind === 'call' && node.fn === 'not') {
      const inner = node.args[0];
      if (inner.kind === 'call' && inner.fn === 'not') return inner.args[0];
      if (inner.kind === 'is_null') return { ...inner, negated: !inner.negated };
    }
    if (node.kind === 'is_null' && node.expr.kind === 'column' && input !== null && input.fields[node.expr.index]?.nullable === false) {
      return literal(node.negated, Types.boolean);
    }
    return node;
  });
}

function neverTrue(expr: Expr): boolean {
  return expr.kind === 'literal' && expr.value !== true;
}

function simplifyNode(node: LogicalPlan): LogicalPlan {
  const input = planInputs(node)[0];
  const schema = node.kind === 'scan' ? node.schema : input?.schema ?? null;
  const simplified = node.kind === 'filter' || node.kind === 'scan' ? mapNodeExprs(node, (e) => simplifyExpr(e, schema)) : node;
  if (simplified.kind === 'filter') {
    if (isBooleanLiteral(simplified.predicate, true)) return simplified.input;
    if (neverTrue(simplified.predicate)) return { kind: 'values', rows: [], schema: simplified.schema };
  }
  if (simplified.kind === 'scan') {
    if (simplified.filters.some(neverTrue)) return { kind: 'values', rows: [], schema: simplified.schema };
    const filters = simplified.filters.flatMap((f) => (f.kind === 'call' && f.fn === 'and' ? f.args : [f])).filter((f) => !isBooleanLiteral(f, true));
    const same = filters.length === simplified.filters.length && filters.every((f, i) => f === simplified.filters[i]);
    return same ? simplified : { ...simplified, filters };
  }
  return simplified;
}

/** The SimplifyBooleans rule. */
export const SimplifyBooleans: OptimizerRule = {
  name: 'SimplifyBooleans',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformPlanUp(plan, simplifyNode);
  },
};

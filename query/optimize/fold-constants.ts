/**
 * FoldConstants: evaluates every sub-expression without column references once, at plan time
 * (`date '1998-12-01' - interval '90' day` becomes DATE '1998-09-02'), so kernels see literals
 * and partition pruning can compare them with min/max. A sub-expression whose evaluation fails
 * (a bad cast, say) is left alone: it raises its error only if a row actually evaluates it.
 */
import { StrataError } from '../../storage/index.js';
import { evaluateConstant } from '../exec/index.js';
import type { Expr } from '../plan/expr.js';
import { exprChildren, literal, transformUp } from '../plan/expr-utils.js';
import { mapNodeExprs, transformPlanUp } from '../plan/plan-utils.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { OptimizerRule } from './optimizer-rule.js';

/** Folds one expression bottom-up. */
export function foldExpr(expr: Expr): Expr {
  return transformUp(expr, (node) => {
    if (node.kind === 'literal' || node.kind === 'column') return node;
    if (!exprChildren(node).every((child) => child.kind === 'literal')) return node;
    try {
      return literal(evaluateConstant(node), node.type);
    } catch (error) {
      if (error instanceof StrataError && error.kind !== 'internal') return node;
      throw error;
    }
  });
}

/** The FoldConstants rule. */
export const FoldConstants: OptimizerRule = {
  name: 'FoldConstants',
  apply(plan: LogicalPlan): LogicalPlan {
    return transformPlanUp(plan, (node) => mapNodeExprs(node, foldExpr));
  },
};

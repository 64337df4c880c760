/**
 * Whether a bound expression can produce NULL, for the nullable flag of output fields. It is
 * conservative: "maybe" is true.
 */
import type { Schema } from '../../storage/index.js';
import type { AggregateExpr, Expr } from '../plan/expr.js';
import { exprChildren } from '../plan/expr-utils.js';

/** Functions that may return NULL on non-NULL input (division by zero, NULLIF, out-of-range parts). */
const mayIntroduceNull = new Set(['divide', 'integer_divide', 'modulo', 'nullif', 'sqrt', 'ln', 'power']);

/** True when the expression can be NULL for some row of `input`. */
export function exprNullable(expr: Expr, input: Schema): boolean {
  switch (expr.kind) {
    case 'column': return input.fields[expr.index]?.nullable ?? true;
    case 'literal': return expr.value === null;
    case 'is_null': return false;
    case 'case': return expr.otherwise === null || expr.whens.some((arm) => exprNullable(arm.then, input)) || exprNullable(expr.otherwise, input);
    case 'call': {
      if (expr.fn === 'coalesce') return expr.args.every((arg) => exprNullable(arg, input));
      if (mayIntroduceNull.has(expr.fn)) return true;
      return expr.args.some((arg) => exprNullable(arg, input));
    }
    default: return exprChildren(expr).some((child) => exprNullable(child, input));
  }
}

/** True when an aggregate can be NULL (all but count on an empty or all-NULL group). */
export function aggregateNullable(aggregate: AggregateExpr): boolean {
  return aggregate.fn !== 'count' && aggregate.fn !== 'count_star';
}

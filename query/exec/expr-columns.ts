/**
 * Which input columns an expression reads, and whether it reads any (a constant).
 */
import type { Expr } from '../plan/index.js';

/** Adds the column positions `expr` references to `into` and returns it. */
export function referencedColumns(expr: Expr, into: Set<number> = new Set()): Set<number> {
  switch (expr.kind) {
    case 'column': into.add(expr.index); break;
    case 'literal': break;
    case 'call': for (const arg of expr.args) referencedColumns(arg, into); break;
    case 'case':
      for (const branch of expr.whens) {
        referencedColumns(branch.when, into);
        referencedColumns(branch.then, into);
      }
      if (expr.otherwise !== null) referencedColumns(expr.otherwise, into);
      break;
    case 'cast': referencedColumns(expr.expr, into); break;
    case 'in_list':
      referencedColumns(expr.expr, into);
      for (const item of expr.list) referencedColumns(item, into);
      break;
    case 'like':
      referencedColumns(expr.expr, into);
      referencedColumns(expr.pattern, into);
      break;
    case 'is_null': referencedColumns(expr.expr, into); break;
  }
  return into;
}

/** True when an expression reads no column. */
export function isConstantExpr(expr: Expr): boolean {
  return referencedColumns(expr).size === 0;
}

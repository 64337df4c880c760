/** Builders of bound expressions for executor tests (what the binder would produce). */
import { Types, type DataType } from '../../../storage/index.js';
import type { AggregateExpr, AggregateFunction, Expr, LiteralValue, ScalarFunction } from '../../../query/plan/index.js';

/** DECIMAL(p, s). */
export const dec = (precision: number, scale: number): DataType => Types.decimal(precision, scale);

/** Column reference. */
export function col(index: number, type: DataType, name = `c${index}`): Expr {
  return { kind: 'column', index, name, type };
}

/** Literal in in-memory units. */
export function lit(value: LiteralValue, type: DataType): Expr {
  return { kind: 'literal', value, type };
}

/** Function call. */
export function call(fn: ScalarFunction, type: DataType, ...args: Expr[]): Expr {
  return { kind: 'call', fn, args, type };
}

/** CAST. */
export function cast(expr: Expr, type: DataType): Expr {
  return { kind: 'cast', expr, type };
}

/** Aggregate call. */
export function agg(fn: AggregateFunction, type: DataType, arg: Expr | null, options: { distinct?: boolean; filter?: Expr } = {}): AggregateExpr {
  return { fn, arg, type, distinct: options.distinct ?? false, filter: options.filter ?? null };
}

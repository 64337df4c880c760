/**
 * What the subquery binder needs to know about SQL ASTs before binding them: the conjuncts of a
 * condition, whether an expression refers to the enclosing query (correlation), on which side of
 * a correlated equality each operand lies, and rebuilding AND trees.
 */
import type { SqlColumn, SqlExpr, SqlQuery, SqlSelect } from './ast.js';
import type { Scope } from './scope.js';

/** The conjuncts of a condition (AND trees flattened). */
export function splitAnd(ast: SqlExpr | null): SqlExpr[] {
  if (ast === null) return [];
  if (ast.kind === 'binary' && ast.op === 'and') return [...splitAnd(ast.left), ...splitAnd(ast.right)];
  return [ast];
}

/** The AND of conjuncts (null for none). */
export function andOf(conjuncts: readonly SqlExpr[]): SqlExpr | null {
  if (conjuncts.length === 0) return null;
  return conjuncts.reduce((left, right) => ({ kind: 'binary', op: 'and', left, right, pos: left.pos }));
}

/** Every column reference of an expression, not descending into subqueries. */
export function columnsOf(ast: SqlExpr, into: SqlColumn[] = []): SqlColumn[] {
  if (ast.kind === 'column') {
    into.push(ast);
    return into;
  }
  if (ast.kind === 'subquery' || ast.kind === 'exists') return into;
  for (const [key, value] of Object.entries(ast)) {
    if (key === 'query') continue;
    const items: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item === null || typeof item !== 'object') continue;
      if ('kind' in item && 'pos' in item) columnsOf(item as SqlExpr, into);
      else if ('when' in item && 'then' in item) {
        const arm = item as { when: SqlExpr; then: SqlExpr };
        columnsOf(arm.when, into);
        columnsOf(arm.then, into);
      } else if ('expr' in item && 'ascending' in item) columnsOf((item as { expr: SqlExpr }).expr, into);
    }
  }
  return into;
}

/** True when a column resolves only in the enclosing query's scope. */
export function isOuterColumn(column: SqlColumn, inner: Scope, outer: Scope): boolean {
  return inner.resolveScoped(column.table, column.name).columns.length === 0 && outer.resolveScoped(column.table, column.name).columns.length > 0;
}

/** True when an expression refers to a column of the enclosing query. */
export function referencesOuter(ast: SqlExpr, inner: Scope, outer: Scope): boolean {
  return columnsOf(ast).some((column) => isOuterColumn(column, inner, outer));
}

/** Where an operand's columns come from: only the subquery, only the enclosing query, both, or none. */
export function operandSide(ast: SqlExpr, inner: Scope, outer: Scope): 'inner' | 'outer' | 'mixed' | 'none' {
  const columns = columnsOf(ast);
  if (columns.length === 0) return 'none';
  const outerCount = columns.filter((column) => isOuterColumn(column, inner, outer)).length;
  if (outerCount === 0) return 'inner';
  return outerCount === columns.length ? 'outer' : 'mixed';
}

/** True when a query block has aggregates, GROUP BY or HAVING. */
export function isAggregateSelect(select: SqlSelect, containsAggregate: (ast: SqlExpr) => boolean): boolean {
  return select.groupBy.length > 0 || select.having !== null
    || select.items.some((item) => item.kind === 'expr' && containsAggregate(item.expr));
}

/** A query block when `query` is one (set operations are never correlated here). */
export function asSelect(query: SqlQuery): SqlSelect | null {
  return query.kind === 'select' ? query : null;
}

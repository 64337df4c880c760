/**
 * Helpers over bound expressions shared by the binder and the optimizer: building nodes,
 * structural equality, rewriting children, collecting and remapping column references,
 * splitting conjunctions.
 */
import { Types, sameType, type DataType } from '../../storage/index.js';
import type { AggregateExpr, Call, Cast, ColumnRef, Expr, Literal, LiteralValue, ScalarFunction } from './expr.js';

/** A column reference. */
export function columnRef(index: number, name: string, type: DataType): ColumnRef {
  return { kind: 'column', index, name, type };
}

/** A literal. */
export function literal(value: LiteralValue, type: DataType): Literal {
  return { kind: 'literal', value, type };
}

/** A function call. */
export function call(fn: ScalarFunction, args: readonly Expr[], type: DataType): Call {
  return { kind: 'call', fn, args, type };
}

/** A cast, or the expression itself when it already has the type. */
export function castTo(expr: Expr, type: DataType): Expr {
  if (sameType(expr.type, type)) return expr;
  if (expr.kind === 'literal' && expr.value === null) return literal(null, type);
  const cast: Cast = { kind: 'cast', expr, type };
  return cast;
}

/** AND of conjuncts (true for none, the conjunct itself for one). */
export function conjunction(conjuncts: readonly Expr[]): Expr {
  if (conjuncts.length === 0) return literal(true, Types.boolean);
  if (conjuncts.length === 1) return conjuncts[0];
  return call('and', conjuncts, Types.boolean);
}

/** Splits nested ANDs into a flat list of conjuncts. */
export function splitConjunction(expr: Expr): Expr[] {
  if (expr.kind === 'call' && expr.fn === 'and') return expr.args.flatMap(splitConjunction);
  return [expr];
}

/** The direct sub-expressions of an expression, in evaluation order. */
export function exprChildren(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'column':
    case 'literal': return [];
    case 'call': return expr.args;
    case 'case': {
      const children: Expr[] = [];
      for (const arm of expr.whens) children.push(arm.when, arm.then);
      if (expr.otherwise !== null) children.push(expr.otherwise);
      return children;
    }
    case 'cast': return [expr.expr];
    case 'in_list': return [expr.expr, ...expr.list];
    case 'like': return [expr.expr, expr.pattern];
    case 'is_null': return [expr.expr];
  }
}

/** The same node with new children (in exprChildren order); returns `expr` itself when nothing changed. */
export function withChildren(expr: Expr, children: readonly Expr[]): Expr {
  const old = exprChildren(expr);
  if (old.length === children.length && old.every((child, i) => child === children[i])) return expr;
  switch (expr.kind) {
    case 'column':
    case 'literal': return expr;
    case 'call': return { ...expr, args: children };
    case 'case': {
      const whens = expr.whens.map((_, i) => ({ when: children[2 * i], then: children[2 * i + 1] }));
      const otherwise = expr.otherwise === null ? null : children[children.length - 1];
      return { ...expr, whens, otherwise };
    }
    case 'cast': return { ...expr, expr: children[0] };
    case 'in_list': return { ...expr, expr: children[0], list: children.slice(1) };
    case 'like': return { ...expr, expr: children[0], pattern: children[1] };
    case 'is_null': return { ...expr, expr: children[0] };
  }
}

/** Rewrites bottom-up: children first, then `rewrite` on the rebuilt node. */
export function transformUp(expr: Expr, rewrite: (e: Expr) => Expr): Expr {
  const children = exprChildren(expr).map((child) => transformUp(child, rewrite));
  return rewrite(withChildren(expr, children));
}

/** Rewrites top-down: `rewrite` returns a replacement (not descended into) or null to descend. */
export function transformDown(expr: Expr, rewrite: (e: Expr) => Expr | null): Expr {
  const replaced = rewrite(expr);
  if (replaced !== null) return replaced;
  return withChildren(expr, exprChildren(expr).map((child) => transformDown(child, rewrite)));
}

/** Adds the input column positions an expression reads to `into`. */
export function collectColumns(expr: Expr, into: Set<number>): Set<number> {
  if (expr.kind === 'column') into.add(expr.index);
  for (const child of exprChildren(expr)) collectColumns(child, into);
  return into;
}

/** Column positions read by an aggregate (argument and filter). */
export function collectAggregateColumns(aggregate: AggregateExpr, into: Set<number>): Set<number> {
  if (aggregate.arg !== null) collectColumns(aggregate.arg, into);
  if (aggregate.filter !== null) collectColumns(aggregate.filter, into);
  return into;
}

/** Renumbers column references through `mapping` (old position → new position). */
export function remapColumns(expr: Expr, mapping: ReadonlyMap<number, number>): Expr {
  return transformUp(expr, (e) => {
    if (e.kind !== 'column') return e;
    const index = mapping.get(e.index);
    if (index === undefined) throw new Error(`remapColumns: column ${e.name} (#${e.index}) has no new position`);
    return index === e.index ? e : { ...e, index };
  });
}

/** True when an expression holds no column references (its value is the same for every row). */
export function isConstant(expr: Expr): boolean {
  if (expr.kind === 'column') return false;
  return exprChildren(expr).every(isConstant);
}

function literalValuesEqual(a: LiteralValue, b: LiteralValue): boolean {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    return a.months === b.months && a.days === b.days && a.micros === b.micros;
  }
  return a === b;
}

/** Structural equality of two expressions (same nodes, types and values). */
export function exprEquals(a: Expr, b: Expr): boolean {
  if (a.kind !== b.kind || !sameType(a.type, b.type)) return false;
  switch (a.kind) {
    case 'column': return a.index === (b as ColumnRef).index;
    case 'literal': return literalValuesEqual(a.value, (b as Literal).value);
    case 'call': if (a.fn !== (b as Call).fn) return false; break;
    case 'in_list': if (a.negated !== (b as typeof a).negated) return false; break;
    case 'is_null': if (a.negated !== (b as typeof a).negated) return false; break;
    case 'like': {
      const other = b as typeof a;
      if (a.negated !== other.negated || a.caseInsensitive !== other.caseInsensitive || a.escape !== other.escape) return false;
      break;
    }
    case 'case': {
      const other = b as typeof a;
      if (a.whens.length !== other.whens.length || (a.otherwise === null) !== (other.otherwise === null)) return false;
      break;
    }
    case 'cast': break;
  }
  const left = exprChildren(a);
  const right = exprChildren(b);
  return left.length === right.length && left.every((child, i) => exprEquals(child, right[i]));
}

/** Structural equality of aggregates. */
export function aggregateEquals(a: AggregateExpr, b: AggregateExpr): boolean {
  if (a.fn !== b.fn || a.distinct !== b.distinct || !sameType(a.type, b.type)) return false;
  if ((a.arg === null) !== (b.arg === null) || (a.filter === null) !== (b.filter === null)) return false;
  if (a.arg !== null && !exprEquals(a.arg, b.arg as Expr)) return false;
  return a.filter === null || exprEquals(a.filter, b.filter as Expr);
}

/**
 * Binds SQL AST expressions to typed plan expressions against a scope. Aggregate queries pass
 * an `intercept` hook that replaces aggregate calls and GROUP BY expressions by references to
 * the Aggregate node's output before the generic rules run.
 */
import { Types, typeToSql } from '../../storage/index.js';
import type { Expr, Literal } from '../plan/expr.js';
import { call, columnRef, literal } from '../plan/expr-utils.js';
import type { SqlCase, SqlColumn, SqlExpr } from './ast.js';
import type { Scope } from './scope.js';
import type { SourceText } from './source-text.js';
import { numberLiteral, parseInterval, adaptLiteral } from './literals.js';
import {
  bindArithmetic, bindComparison, bindConcat, bindLogic, bindNegate, coerce, invalidLiteral, isNullLiteral,
  requireBoolean, unify,
} from './bind-operators.js';
import { aggregateFunctionNames, bindDatePart, bindScalarFunction, scalarFunctionNames } from './bind-functions.js';
import { typeFromName } from './type-names.js';
import { canCast, isNumeric } from './type-rules.js';

/** How many candidate names an unknown-column error lists. */
const candidateNamesShownMax = 12;

/** What binding an expression needs. */
export interface ExprBindContext {
  readonly source: SourceText;
  readonly scope: Scope;
  /** The clause being bound, for messages: 'WHERE', 'GROUP BY', 'the select list', … */
  readonly clause: string;
  /** Tried on every node before the generic rules; returns a replacement or null to continue. */
  readonly intercept: ((ast: SqlExpr) => Expr | null) | null;
  /** Binds subqueries where the clause allows them (absent: NOT_SUPPORTED). */
  readonly subqueries?: (ast: Extract<SqlExpr, { kind: 'subquery' | 'exists' | 'in_subquery' }>, context: ExprBindContext) => Expr;
  /** Binds window functions where the clause allows them (absent: they are not allowed here). */
  readonly windows?: (ast: Extract<SqlExpr, { kind: 'window_function' }>, context: ExprBindContext) => Expr;
}

/** Binds an expression. */
export function bindExpr(ast: SqlExpr, context: ExprBindContext): Expr {
  if (context.intercept !== null) {
    const replaced = context.intercept(ast);
    if (replaced !== null) return replaced;
  }
  const { source } = context;
  const child = (e: SqlExpr): Expr => bindExpr(e, context);
  switch (ast.kind) {
    case 'column': return bindColumn(ast, context);
    case 'star': throw source.error('plan', 'INVALID_EXPRESSION', '* is only allowed in the select list and in count(*)', ast.pos);
    case 'number': {
      const value = numberLiteral(ast.text);
      if (value === null) throw source.error('not_supported', 'NOT_SUPPORTED', `integer literal ${ast.text} is beyond ±2^53, where BIGINT stops being exact; write it as a DOUBLE (e.g. ${ast.text}e0)`, ast.pos);
      return value;
    }
    case 'string': return literal(ast.value, Types.string);
    case 'boolean': return literal(ast.value, Types.boolean);
    case 'null': return literal(null, Types.int32);
    case 'typed_literal': return bindTypedLiteral(ast.type, ast.value, source, ast.pos);
    case 'interval': {
      const value = parseInterval(ast.value, ast.unit);
      if (value === null) throw source.error('input', 'INVALID_CAST', `'${ast.value}'${ast.unit === null ? '' : ` ${ast.unit.toUpperCase()}`} is not a valid INTERVAL; write e.g. INTERVAL '90' DAY or INTERVAL '1 year 2 months'`, ast.pos);
      return literal(value, Types.interval);
    }
    case 'unary': {
      const operand = child(ast.expr);
      if (ast.op === 'not') return call('not', [requireBoolean(operand, source, ast.pos, 'NOT')], Types.boolean);
      if (ast.op === '-') return bindNegate(operand, source, ast.pos);
      if (!isNumeric(operand.type) && !isNullLiteral(operand)) throw source.error('plan', 'TYPE_MISMATCH', `unary + cannot be applied to ${typeToSql(operand.type)}`, ast.pos);
      return operand;
    }
    case 'binary': {
      const left = child(ast.left);
      const right = child(ast.right);
      if (ast.op === 'and' || ast.op === 'or') return bindLogic(ast.op, left, right, source, ast.pos);
      if (ast.op === '||') return bindConcat(left, right, source, ast.pos);
      if (['+', '-', '*', '/', '%'].includes(ast.op)) return bindArithmetic(ast.op, left, right, source, ast.pos);
      return bindComparison(ast.op, left, right, source, ast.pos);
    }
    case 'like': {
      const what = ast.caseInsensitive ? 'ILIKE' : 'LIKE';
      const expr = coerceString(child(ast.expr), context, ast.pos, what);
      const pattern = coerceString(child(ast.pattern), context, ast.pos, what);
      if (ast.escape !== null && ast.escape.length !== 1) throw source.error('plan', 'INVALID_EXPRESSION', `${what} ESCAPE needs exactly one character, got '${ast.escape}'`, ast.pos);
      return { kind: 'like', expr, pattern, escape: ast.escape, negated: ast.negated, caseInsensitive: ast.caseInsensitive, type: Types.boolean };
    }
    case 'in_list': return bindInList(child(ast.expr), ast.list.map(child), ast.negated, source, ast.pos);
    case 'between': {
      const value = child(ast.expr);
      const low = child(ast.low);
      const high = child(ast.high);
      if (ast.negated) return call('or', [bindComparison('<', value, low, source, ast.pos), bindComparison('>', value, high, source, ast.pos)], Types.boolean);
      return call('and', [bindComparison('>=', value, low, source, ast.pos), bindComparison('<=', value, high, source, ast.pos)], Types.boolean);
    }
    case 'is': return bindIs(child(ast.expr), ast.value, ast.negated, source, ast.pos);
    case 'case': return bindCase(ast, context);
    case 'cast': return bindCast(child(ast.expr), ast, context);
    case 'function': return bindFunction(ast.name, ast, context);
    case 'extract': return bindDatePart(ast.field, child(ast.expr), source, ast.pos);
    case 'subquery':
    case 'in_subquery':
    case 'exists':
      if (context.subqueries !== undefined) return context.subqueries(ast, context);
      throw source.error('not_supported', 'NOT_SUPPORTED', `subqueries are not supported in ${context.clause}`, ast.pos);
    case 'window_function':
      if (context.windows !== undefined) return context.windows(ast, context);
      throw source.error('plan', 'WINDOW_MISUSE', `window function ${ast.name}() OVER (…) is not allowed in ${context.clause}; use it in the select list or ORDER BY`, ast.pos);
  }
}

function coerceString(expr: Expr, context: ExprBindContext, pos: number, what: string): Expr {
  if (expr.type.id === 'string' || isNullLiteral(expr)) return coerce(expr, Types.string, context.source, pos, what);
  throw context.source.error('plan', 'TYPE_MISMATCH', `${what} needs VARCHAR operands, got ${typeToSql(expr.type)}`, pos);
}

/** Binds a column name against the scope; COLUMN_NOT_FOUND / COLUMN_AMBIGUOUS with the position. */
export function bindColumn(ast: SqlColumn, context: ExprBindContext): Expr {
  const { scope, source } = context;
  const resolution = scope.resolveScoped(ast.table, ast.name);
  const matches = resolution.columns;
  const written = ast.table === null ? ast.name : `${ast.table}.${ast.name}`;
  if (resolution.correlated) {
    throw source.error('not_supported', 'NOT_SUPPORTED',
      `column ${written} of the enclosing query is used in ${context.clause} of a subquery; correlated references are supported in the subquery's WHERE conditions only`, ast.pos);
  }
  if (matches.length === 1) {
    const column = matches[0];
    return columnRef(column.index, column.name, column.type);
  }
  if (matches.length > 1) {
    const options = matches.map((m) => (m.relation === null ? m.name : `${m.relation}.${m.name}`)).join(' or ');
    throw source.error('plan', 'COLUMN_AMBIGUOUS', `column ${written} is ambiguous: it could be ${options}; qualify it with the table name or alias`, ast.pos);
  }
  if (ast.table !== null && !scope.hasRelation(ast.table)) {
    throw source.error('plan', 'COLUMN_NOT_FOUND', `column ${written} not found: no table or alias named ${ast.table} in FROM`, ast.pos);
  }
  const candidates = scope.columns.map((c) => c.name);
  const shown = candidates.slice(0, candidateNamesShownMax).join(', ') + (candidates.length > candidateNamesShownMax ? ', …' : '');
  const hint = candidates.length === 0 ? 'the query has no FROM clause' : `available columns: ${shown}`;
  throw source.error('plan', 'COLUMN_NOT_FOUND', `column ${written} not found; ${hint}`, ast.pos);
}

function bindTypedLiteral(type: 'date' | 'timestamp', value: string, source: SourceText, pos: number): Literal {
  const target = type === 'date' ? Types.date : Types.timestamp;
  const converted = adaptLiteral(literal(value, Types.string), target);
  if (converted === null || converted === 'invalid') {
    const example = type === 'date' ? "DATE '1998-12-01'" : "TIMESTAMP '1998-12-01 10:30:00'";
    throw source.error('input', 'INVALID_CAST', `'${value}' is not a valid ${typeToSql(target)}; write e.g. ${example}`, pos);
  }
  return converted;
}

function bindInList(value: Expr, list: readonly Expr[], negated: boolean, source: SourceText, pos: number): Expr {
  const what = negated ? 'NOT IN' : 'IN';
  // Literals take the value's type when exact, so `col IN (…)` compares in the column's units.
  if (value.kind !== 'literal' && list.every((item) => item.kind === 'literal')) {
    const adapted = list.map((item) => adaptLiteral(item as Literal, value.type));
    if (adapted.every((item) => item !== null && item !== 'invalid')) {
      return { kind: 'in_list', expr: value, list: adapted as Literal[], negated, type: Types.boolean };
    }
  }
  const [converted, ...items] = unify([value, ...list], source, pos, what);
  return { kind: 'in_list', expr: converted, list: items, negated, type: Types.boolean };
}

function bindIs(value: Expr, test: 'null' | 'true' | 'false', negated: boolean, source: SourceText, pos: number): Expr {
  if (test === 'null') return { kind: 'is_null', expr: value, negated, type: Types.boolean };
  const condition = requireBoolean(value, source, pos, `IS ${test.toUpperCase()}`);
  // x IS TRUE is never NULL: coalesce(x, false); IS FALSE tests NOT x the same way.
  const tested = test === 'true' ? condition : call('not', [condition], Types.boolean);
  const result = call('coalesce', [tested, literal(false, Types.boolean)], Types.boolean);
  return negated ? call('not', [result], Types.boolean) : result;
}

function bindCase(ast: SqlCase, context: ExprBindContext): Expr {
  const { source } = context;
  const operand = ast.operand === null ? null : bindExpr(ast.operand, context);
  const conditions = ast.whens.map((arm) => {
    const when = bindExpr(arm.when, context);
    if (operand === null) return requireBoolean(when, source, arm.when.pos, 'CASE WHEN');
    return bindComparison('=', operand, when, source, arm.when.pos);
  });
  const results = ast.whens.map((arm) => bindExpr(arm.then, context));
  if (ast.otherwise !== null) results.push(bindExpr(ast.otherwise, context));
  const unified = unify(results, source, ast.pos, 'CASE results');
  const whens = conditions.map((when, i) => ({ when, then: unified[i] }));
  const otherwise = ast.otherwise === null ? null : unified[unified.length - 1];
  return { kind: 'case', whens, otherwise, type: unified[0].type };
}

function bindCast(value: Expr, ast: Extract<SqlExpr, { kind: 'cast' }>, context: ExprBindContext): Expr {
  const target = typeFromName(ast.type, context.source);
  if (value.kind === 'literal') {
    const adapted = adaptLiteral(value, target);
    if (adapted !== null && adapted !== 'invalid') return adapted;
    // Text that is not exactly a number may still cast with rounding ('3.14159' AS DECIMAL(10,3)):
    // the executor decides. Dates, timestamps and booleans parse one way only.
    if (adapted === 'invalid' && !isNumeric(target)) throw invalidLiteral(value, target, context.source, ast.pos);
  }
  if (!canCast(value.type, target)) {
    throw context.source.error('plan', 'TYPE_MISMATCH', `cannot cast ${typeToSql(value.type)} to ${typeToSql(target)}`, ast.pos);
  }
  return { kind: 'cast', expr: value, type: target };
}

function bindFunction(name: string, ast: Extract<SqlExpr, { kind: 'function' }>, context: ExprBindContext): Expr {
  const { source } = context;
  if (aggregateFunctionNames.has(name)) {
    throw source.error('plan', 'AGGREGATE_MISUSE', `aggregate function ${name}() is not allowed in ${context.clause}`, ast.pos);
  }
  if (ast.star || ast.distinct || ast.filter !== null) {
    throw source.error('plan', 'INVALID_EXPRESSION', `${name}() is not an aggregate function: * , DISTINCT and FILTER only apply to aggregates`, ast.pos);
  }
  const args = ast.args.map((arg) => bindExpr(arg, context));
  const bound = bindScalarFunction(name, args, source, ast.pos);
  if (bound !== null) return bound;
  throw source.error('plan', 'FUNCTION_NOT_FOUND', `function ${name}() does not exist; known functions: ${[...aggregateFunctionNames, ...scalarFunctionNames].join(', ')}`, ast.pos);
}

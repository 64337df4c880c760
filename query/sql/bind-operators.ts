/**
 * Typing of SQL operators: comparisons, arithmetic (numeric and date/interval), string
 * concatenation and logic. Each returns a bound expression whose arguments satisfy the typing
 * rules in query/plan/expr.ts, inserting casts or converting literals as needed.
 */
import { Types, typeToSql, type DataType } from '../../storage/index.js';
import type { Expr, IntervalValue, Literal, ScalarFunction } from '../plan/expr.js';
import { call, castTo, literal } from '../plan/expr-utils.js';
import type { SourceText } from './source-text.js';
import { adaptLiteral } from './literals.js';
import {
  asDecimal, canCast, commonType, decimalAddType, decimalMultiplyType, isInteger, isNumeric, widerInteger,
} from './type-rules.js';

/** True for a literal NULL (which takes whatever type its context needs). */
export function isNullLiteral(expr: Expr): boolean {
  return expr.kind === 'literal' && expr.value === null;
}

/** Converts an expression to `target`: literals exactly when possible, otherwise a cast; TYPE_MISMATCH when no cast exists. */
export function coerce(expr: Expr, target: DataType, source: SourceText, pos: number, what: string): Expr {
  if (expr.kind === 'literal') {
    const adapted = adaptLiteral(expr, target);
    if (adapted === 'invalid') throw invalidLiteral(expr, target, source, pos);
    if (adapted !== null) return adapted;
  }
  if (!canCast(expr.type, target)) {
    throw source.error('plan', 'TYPE_MISMATCH', `${what}: cannot convert ${typeToSql(expr.type)} to ${typeToSql(target)}`, pos);
  }
  return castTo(expr, target);
}

/** INVALID_CAST for a literal whose text is not a value of the type it must become. */
export function invalidLiteral(value: Literal, target: DataType, source: SourceText, pos: number): Error {
  return source.error('input', 'INVALID_CAST', `'${String(value.value)}' is not a valid ${typeToSql(target)}`, pos);
}

/** The common type of several expressions (NULL literals adapt to it); null when they do not mix. */
export function commonTypeOf(exprs: readonly Expr[]): DataType | null {
  let result: DataType | null = null;
  for (const expr of exprs) {
    if (isNullLiteral(expr)) continue;
    if (result === null) { result = expr.type; continue; }
    // A string literal next to a typed value is read as that type (DuckDB): keep the typed side.
    if (expr.kind === 'literal' && expr.type.id === 'string' && result.id !== 'string') continue;
    const merged = commonType(result, expr.type);
    if (merged === null) return null;
    result = merged;
  }
  return result ?? Types.int32;
}

/** Converts every expression to their common type; TYPE_MISMATCH naming `what` when there is none. */
export function unify(exprs: readonly Expr[], source: SourceText, pos: number, what: string): Expr[] {
  const target = commonTypeOf(exprs);
  if (target === null) {
    const types = [...new Set(exprs.filter((e) => !isNullLiteral(e)).map((e) => typeToSql(e.type)))].join(', ');
    throw source.error('plan', 'TYPE_MISMATCH', `${what}: values of types ${types} cannot be combined; add a CAST`, pos);
  }
  return exprs.map((e) => coerce(e, target, source, pos, what));
}

const comparisonFunctions: Readonly<Record<string, ScalarFunction>> = { '=': 'eq', '<>': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

/** Comparison operator → function name. */
export function comparisonFunction(op: string): ScalarFunction {
  return comparisonFunctions[op];
}

function sameScaleDecimals(a: DataType, b: DataType): boolean {
  return a.id === 'decimal' && b.id === 'decimal' && a.scale === b.scale;
}

/**
 * Binds a comparison. A literal facing a non-literal is converted to the other side's type when
 * exact (so `decimal_col < 24` compares scaled integers and pruning reads min/max directly).
 */
export function bindComparison(op: string, left: Expr, right: Expr, source: SourceText, pos: number): Expr {
  const fn = comparisonFunction(op);
  const what = `operator ${op}`;
  let l = left;
  let r = right;
  if (r.kind === 'literal' && l.kind !== 'literal') r = adaptOrKeep(r, l.type, source, pos);
  else if (l.kind === 'literal' && r.kind !== 'literal') l = adaptOrKeep(l, r.type, source, pos);
  if (sameScaleDecimals(l.type, r.type) || (l.type.id === r.type.id && l.type.id !== 'decimal')) return call(fn, [l, r], Types.boolean);
  // A wide decimal (a sum) compares exactly with any decimal at its own scale; a common scale might not fit 64 bits.
  if (l.type.id === 'decimal' && r.type.id === 'decimal' && ((l.type.precision ?? 18) > 18 || (r.type.precision ?? 18) > 18)) return call(fn, [l, r], Types.boolean);
  if (l.type.id === 'interval' || r.type.id === 'interval') {
    throw source.error('plan', 'TYPE_MISMATCH', `${what}: INTERVAL values cannot be compared`, pos);
  }
  if (commonTypeOf([l, r]) === null) {
    throw source.error('plan', 'TYPE_MISMATCH', `${what}: cannot compare ${typeToSql(l.type)} with ${typeToSql(r.type)}; add a CAST`, pos);
  }
  const [cl, cr] = unify([l, r], source, pos, what);
  return call(fn, [cl, cr], Types.boolean);
}

function adaptOrKeep(value: Literal, target: DataType, source: SourceText, pos: number): Expr {
  const adapted = adaptLiteral(value, target);
  if (adapted === 'invalid') throw invalidLiteral(value, target, source, pos);
  return adapted ?? value;
}

/** The decimal form of an integer argument: an integer literal exactly (its own digits), any other integer cast to DECIMAL(18,0). */
function integerToDecimal(expr: Expr): Expr {
  if (expr.kind === 'literal' && typeof expr.value === 'number' && isInteger(expr.type)) {
    const digits = String(Math.abs(expr.value)).length;
    return literal(expr.value, Types.decimal(Math.max(digits, 1), 0));
  }
  return castTo(expr, asDecimal(expr.type));
}

/** Binds + - * / % on numbers, dates, timestamps and intervals. */
export function bindArithmetic(op: string, left: Expr, right: Expr, source: SourceText, pos: number): Expr {
  let l = left;
  let r = right;
  // A string literal in arithmetic is read as the other side's type (DuckDB: 1 + '2' = 3).
  if (l.kind === 'literal' && l.type.id === 'string' && r.type.id !== 'string') l = adaptOrKeep(l, r.type, source, pos);
  if (r.kind === 'literal' && r.type.id === 'string' && l.type.id !== 'string') r = adaptOrKeep(r, l.type, source, pos);
  if (isNullLiteral(l) && !isNullLiteral(r)) l = literal(null, r.type.id === 'interval' ? Types.int32 : r.type);
  if (isNullLiteral(r) && !isNullLiteral(l)) r = literal(null, l.type.id === 'interval' ? Types.int32 : l.type);
  const temporal = [l.type.id, r.type.id].some((id) => id === 'date' || id === 'timestamp' || id === 'interval');
  if (temporal) return bindTemporalArithmetic(op, l, r, source, pos);
  if (!isNumeric(l.type) || !isNumeric(r.type)) {
    throw source.error('plan', 'TYPE_MISMATCH', `operator ${op} cannot be applied to ${typeToSql(l.type)} and ${typeToSql(r.type)}`, pos);
  }
  if (op === '/') return call('divide', [castTo(l, Types.float64), castTo(r, Types.float64)], Types.float64);
  if (op === '%') {
    const [cl, cr] = unify([l, r], source, pos, 'operator %');
    return call('modulo', [cl, cr], cl.type);
  }
  const fn: ScalarFunction = op === '+' ? 'add' : op === '-' ? 'subtract' : 'multiply';
  if (l.type.id === 'float64' || r.type.id === 'float64') return call(fn, [castTo(l, Types.float64), castTo(r, Types.float64)], Types.float64);
  if (isInteger(l.type) && isInteger(r.type)) {
    const type = widerInteger(l.type, r.type);
    return call(fn, [castTo(l, type), castTo(r, type)], type);
  }
  const dl = isInteger(l.type) ? integerToDecimal(l) : l;
  const dr = isInteger(r.type) ? integerToDecimal(r) : r;
  if (fn !== 'multiply') return call(fn, [dl, dr], decimalAddType(dl.type, dr.type));
  const type = decimalMultiplyType(dl.type, dr.type);
  // Scales beyond 18 digits cannot be held exactly: fall back to DOUBLE rather than lose digits silently.
  if (type === null) return call(fn, [castTo(dl, Types.float64), castTo(dr, Types.float64)], Types.float64);
  return call(fn, [dl, dr], type);
}

function intervalHasTime(expr: Expr): boolean {
  return expr.kind !== 'literal' || expr.value === null || (expr.value as IntervalValue).micros !== 0;
}

function bindTemporalArithmetic(op: string, left: Expr, right: Expr, source: SourceText, pos: number): Expr {
  let l = left;
  let r = right;
  const mismatch = (): Error => source.error('plan', 'TYPE_MISMATCH',
    `operator ${op} cannot be applied to ${typeToSql(l.type)} and ${typeToSql(r.type)}; dates take + or - INTERVAL '…' DAY/MONTH/YEAR, and date - date gives days`, pos);
  if (op === '+' && l.type.id === 'interval' && r.type.id !== 'interval') [l, r] = [r, l];
  // date ± integer literal means days (DuckDB, PostgreSQL).
  if (l.type.id === 'date' && isInteger(r.type) && r.kind === 'literal' && typeof r.value === 'number' && (op === '+' || op === '-')) {
    r = literal({ months: 0, days: r.value, micros: 0 }, Types.interval);
  }
  const fn: ScalarFunction = op === '+' ? 'add' : 'subtract';
  if (op !== '+' && op !== '-') throw mismatch();
  if (r.type.id === 'interval' && (l.type.id === 'date' || l.type.id === 'timestamp')) {
    if (l.type.id === 'date' && intervalHasTime(r)) l = castTo(l, Types.timestamp);
    return call(fn, [l, r], l.type);
  }
  if (op === '-' && l.type.id === 'date' && r.type.id === 'date') return call('subtract', [l, r], Types.int32);
  if (l.type.id === 'interval' && r.type.id === 'interval' && l.kind === 'literal' && r.kind === 'literal') {
    return addIntervals(l, r, op === '-');
  }
  throw mismatch();
}

function addIntervals(left: Literal, right: Literal, subtract: boolean): Literal {
  if (left.value === null || right.value === null) return literal(null, Types.interval);
  const a = left.value as IntervalValue;
  const b = right.value as IntervalValue;
  const sign = subtract ? -1 : 1;
  return literal({ months: a.months + sign * b.months, days: a.days + sign * b.days, micros: a.micros + sign * b.micros }, Types.interval);
}

/** Binds a || b: both sides become strings; NULL if either is NULL. */
export function bindConcat(left: Expr, right: Expr, source: SourceText, pos: number): Expr {
  const l = coerce(left, Types.string, source, pos, 'operator ||');
  const r = coerce(right, Types.string, source, pos, 'operator ||');
  return call('concat', [l, r], Types.string);
}

/** Checks a boolean operand (NULL literals become boolean NULL). */
export function requireBoolean(expr: Expr, source: SourceText, pos: number, what: string): Expr {
  if (isNullLiteral(expr)) return literal(null, Types.boolean);
  if (expr.type.id === 'boolean') return expr;
  if (expr.kind === 'literal' && expr.type.id === 'string') return coerce(expr, Types.boolean, source, pos, what);
  throw source.error('plan', 'TYPE_MISMATCH', `${what} needs a BOOLEAN, got ${typeToSql(expr.type)}`, pos);
}

/** Binds AND / OR (three-valued logic is the executor's). */
export function bindLogic(op: 'and' | 'or', left: Expr, right: Expr, source: SourceText, pos: number): Expr {
  const what = `operator ${op.toUpperCase()}`;
  return call(op, [requireBoolean(left, source, pos, what), requireBoolean(right, source, pos, what)], Types.boolean);
}

/** Negates a number or an interval literal. */
export function bindNegate(expr: Expr, source: SourceText, pos: number): Expr {
  if (expr.kind === 'literal' && expr.value !== null) {
    if (typeof expr.value === 'number' && isNumeric(expr.type)) {
      const negated = literal(-expr.value, expr.type);
      // -2147483648 is an INTEGER literal only once negated.
      return expr.type.id === 'int64' && -expr.value === -2_147_483_648 ? literal(-expr.value, Types.int32) : negated;
    }
    if (expr.type.id === 'interval') {
      const v = expr.value as IntervalValue;
      return literal({ months: -v.months, days: -v.days, micros: -v.micros }, Types.interval);
    }
  }
  if (isNullLiteral(expr)) return expr;
  if (!isNumeric(expr.type)) throw source.error('plan', 'TYPE_MISMATCH', `unary - cannot be applied to ${typeToSql(expr.type)}`, pos);
  return call('negate', [expr], expr.type);
}

/**
 * Scalar function typing: checks argument counts and types, inserts casts, and picks the result
 * type of every function the executor implements (see ScalarFunction in query/plan/expr.ts).
 */
import { Types, typeToSql, type DataType } from '../../storage/index.js';
import type { Expr, ScalarFunction } from '../plan/expr.js';
import { call, literal } from '../plan/expr-utils.js';
import type { SourceText } from './source-text.js';
import { coerce, isNullLiteral, unify } from './bind-operators.js';
import { decimalType, isInteger, isNumeric, isTemporal } from './type-rules.js';

/** Fields EXTRACT / date_part accept; epoch is DOUBLE (seconds with fraction), the rest BIGINT. */
export const datePartFields = new Set(['year', 'quarter', 'month', 'week', 'day', 'dow', 'isodow', 'doy', 'hour', 'minute', 'second', 'millisecond', 'microsecond', 'epoch']);

/** Fields date_trunc accepts. */
export const dateTruncFields = new Set(['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second']);

const fieldAliases: Readonly<Record<string, string>> = {
  years: 'year', months: 'month', days: 'day', hours: 'hour', minutes: 'minute', seconds: 'second',
  dayofweek: 'dow', weekday: 'dow', dayofyear: 'doy', milliseconds: 'millisecond', microseconds: 'microsecond', quarters: 'quarter', weeks: 'week',
};

/** Aggregate function names (bound by the aggregate binder, never here). */
export const aggregateFunctionNames = new Set(['count', 'sum', 'avg', 'min', 'max']);

interface FunctionCall {
  readonly name: string;
  readonly args: readonly Expr[];
  readonly source: SourceText;
  readonly pos: number;
}

type FunctionBinder = (call: FunctionCall) => Expr;

function argumentCountError(c: FunctionCall, expected: string): Error {
  return c.source.error('plan', 'TYPE_MISMATCH', `${c.name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${c.args.length}`, c.pos);
}

function checkCount(c: FunctionCall, min: number, max: number): void {
  if (c.args.length < min || c.args.length > max) {
    throw argumentCountError(c, min === max ? String(min) : max === Infinity ? `at least ${min}` : `${min} to ${max}`);
  }
}

function stringArg(c: FunctionCall, i: number): Expr {
  const arg = c.args[i];
  if (arg.type.id === 'string' || isNullLiteral(arg)) return coerce(arg, Types.string, c.source, c.pos, `${c.name}()`);
  throw c.source.error('plan', 'TYPE_MISMATCH', `${c.name}() argument ${i + 1} must be VARCHAR, got ${typeToSql(arg.type)}`, c.pos);
}

function integerArg(c: FunctionCall, i: number): Expr {
  const arg = c.args[i];
  if (isInteger(arg.type) || isNullLiteral(arg) || (arg.kind === 'literal' && arg.type.id === 'string')) {
    return coerce(arg, Types.int64, c.source, c.pos, `${c.name}()`);
  }
  throw c.source.error('plan', 'TYPE_MISMATCH', `${c.name}() argument ${i + 1} must be an integer, got ${typeToSql(arg.type)}`, c.pos);
}

function numericArg(c: FunctionCall, i: number): Expr {
  const arg = c.args[i];
  if (isNumeric(arg.type)) return arg;
  if (isNullLiteral(arg)) return literal(null, Types.float64);
  throw c.source.error('plan', 'TYPE_MISMATCH', `${c.name}() argument ${i + 1} must be a number, got ${typeToSql(arg.type)}`, c.pos);
}

/** fn(string…) → result, with `ints` positions taking integers. */
function stringFunction(fn: ScalarFunction, min: number, max: number, result: DataType, ints: readonly number[] = []): FunctionBinder {
  return (c) => {
    checkCount(c, min, max);
    const args = c.args.map((_, i) => (ints.includes(i) ? integerArg(c, i) : stringArg(c, i)));
    return call(fn, args, result);
  };
}

/** fn(number) → DOUBLE. */
function doubleFunction(fn: ScalarFunction, count: number): FunctionBinder {
  return (c) => {
    checkCount(c, count, count);
    return call(fn, c.args.map((_, i) => coerce(numericArg(c, i), Types.float64, c.source, c.pos, `${c.name}()`)), Types.float64);
  };
}

function bindRound(c: FunctionCall): Expr {
  checkCount(c, 1, 2);
  const value = numericArg(c, 0);
  const digits = c.args.length === 2 ? integerArg(c, 1) : literal(0, Types.int64);
  if (value.type.id !== 'decimal') return call('round', [value, digits], value.type);
  if (digits.kind !== 'literal' || typeof digits.value !== 'number') {
    throw c.source.error('not_supported', 'NOT_SUPPORTED', 'round(decimal, digits) needs a constant number of digits', c.pos);
  }
  // DuckDB: the result keeps min(scale, digits) decimals.
  const scale = Math.max(0, Math.min(value.type.scale ?? 0, digits.value));
  return call('round', [value, digits], decimalType(value.type.precision ?? 18, scale));
}

function bindFloorCeil(fn: ScalarFunction): FunctionBinder {
  return (c) => {
    checkCount(c, 1, 1);
    const value = numericArg(c, 0);
    const type = value.type.id === 'decimal' ? decimalType(value.type.precision ?? 18, 0) : value.type;
    return call(fn, [value], type);
  };
}

function bindSameNumeric(fn: ScalarFunction, result: DataType | null): FunctionBinder {
  return (c) => {
    checkCount(c, 1, 1);
    const value = numericArg(c, 0);
    return call(fn, [value], result ?? value.type);
  };
}

function bindVariadicCommon(fn: ScalarFunction): FunctionBinder {
  return (c) => {
    checkCount(c, fn === 'nullif' ? 2 : 1, fn === 'nullif' ? 2 : Infinity);
    const args = unify(c.args, c.source, c.pos, `${c.name}()`);
    return call(fn, args, args[0].type);
  };
}

/** concat() skips NULL arguments (DuckDB, PostgreSQL), unlike ||. */
function bindConcatFunction(c: FunctionCall): Expr {
  checkCount(c, 1, Infinity);
  const args = c.args.map((arg) => {
    const text = coerce(arg, Types.string, c.source, c.pos, 'concat()');
    return call('coalesce', [text, literal('', Types.string)], Types.string);
  });
  return call('concat', args, Types.string);
}

/** Normalizes a date part name; null when unknown. */
export function datePartField(name: string): string | null {
  const lower = name.toLowerCase();
  const field = fieldAliases[lower] ?? lower;
  return datePartFields.has(field) ? field : null;
}

/** date_part(field, x) / EXTRACT(field FROM x). */
export function bindDatePart(field: string, value: Expr, source: SourceText, pos: number): Expr {
  const normalized = datePartField(field);
  if (normalized === null) {
    throw source.error('plan', 'INVALID_DATE_PART', `unknown date part '${field}'; use one of ${[...datePartFields].join(', ')}`, pos);
  }
  const temporal = isNullLiteral(value) ? literal(null, Types.date) : value.kind === 'literal' && value.type.id === 'string' ? coerce(value, Types.timestamp, source, pos, 'date_part') : value;
  if (!isTemporal(temporal.type)) {
    throw source.error('plan', 'TYPE_MISMATCH', `date_part('${normalized}', …) needs a DATE or TIMESTAMP, got ${typeToSql(temporal.type)}`, pos);
  }
  const type = normalized === 'epoch' ? Types.float64 : Types.int64;
  return call('date_part', [literal(normalized, Types.string), temporal], type);
}

function fieldArgument(c: FunctionCall): string {
  const field = c.args[0];
  if (field.kind !== 'literal' || typeof field.value !== 'string') {
    throw c.source.error('plan', 'TYPE_MISMATCH', `${c.name}() needs the part name as a string literal first, e.g. ${c.name}('year', x)`, c.pos);
  }
  return field.value;
}

function bindDateTrunc(c: FunctionCall): Expr {
  checkCount(c, 2, 2);
  const field = fieldArgument(c).toLowerCase();
  const normalized = fieldAliases[field] ?? field;
  if (!dateTruncFields.has(normalized)) {
    throw c.source.error('plan', 'INVALID_DATE_PART', `unknown date_trunc part '${field}'; use one of ${[...dateTruncFields].join(', ')}`, c.pos);
  }
  const value = c.args[1].kind === 'literal' && c.args[1].type.id === 'string' ? coerce(c.args[1], Types.timestamp, c.source, c.pos, 'date_trunc') : c.args[1];
  if (!isTemporal(value.type)) {
    throw c.source.error('plan', 'TYPE_MISMATCH', `date_trunc() needs a DATE or TIMESTAMP, got ${typeToSql(value.type)}`, c.pos);
  }
  return call('date_trunc', [literal(normalized, Types.string), value], value.type);
}

function bindPad(fn: ScalarFunction): FunctionBinder {
  return (c) => {
    checkCount(c, 2, 3);
    const fill = c.args.length === 3 ? stringArg(c, 2) : literal(' ', Types.string);
    return call(fn, [stringArg(c, 0), integerArg(c, 1), fill], Types.string);
  };
}

const binders: Readonly<Record<string, FunctionBinder>> = {
  lower: stringFunction('lower', 1, 1, Types.string),
  upper: stringFunction('upper', 1, 1, Types.string),
  reverse: stringFunction('reverse', 1, 1, Types.string),
  length: stringFunction('length', 1, 1, Types.int64),
  char_length: stringFunction('length', 1, 1, Types.int64),
  character_length: stringFunction('length', 1, 1, Types.int64),
  substring: stringFunction('substring', 2, 3, Types.string, [1, 2]),
  substr: stringFunction('substring', 2, 3, Types.string, [1, 2]),
  trim: stringFunction('trim', 1, 2, Types.string),
  ltrim: stringFunction('ltrim', 1, 2, Types.string),
  rtrim: stringFunction('rtrim', 1, 2, Types.string),
  replace: stringFunction('replace', 3, 3, Types.string),
  strpos: stringFunction('position', 2, 2, Types.int64),
  instr: stringFunction('position', 2, 2, Types.int64),
  starts_with: stringFunction('starts_with', 2, 2, Types.boolean),
  ends_with: stringFunction('ends_with', 2, 2, Types.boolean),
  contains: stringFunction('contains', 2, 2, Types.boolean),
  left: stringFunction('left', 2, 2, Types.string, [1]),
  right: stringFunction('right', 2, 2, Types.string, [1]),
  repeat: stringFunction('repeat', 2, 2, Types.string, [1]),
  split_part: stringFunction('split_part', 3, 3, Types.string, [2]),
  lpad: bindPad('lpad'),
  rpad: bindPad('rpad'),
  concat: bindConcatFunction,
  abs: bindSameNumeric('abs', null),
  sign: bindSameNumeric('sign', Types.int32),
  round: bindRound,
  floor: bindFloorCeil('floor'),
  ceil: bindFloorCeil('ceil'),
  ceiling: bindFloorCeil('ceil'),
  sqrt: doubleFunction('sqrt', 1),
  ln: doubleFunction('ln', 1),
  exp: doubleFunction('exp', 1),
  power: doubleFunction('power', 2),
  pow: doubleFunction('power', 2),
  coalesce: bindVariadicCommon('coalesce'),
  nullif: bindVariadicCommon('nullif'),
  greatest: bindVariadicCommon('greatest'),
  least: bindVariadicCommon('least'),
  date_part: (c) => {
    checkCount(c, 2, 2);
    return bindDatePart(fieldArgument(c), c.args[1], c.source, c.pos);
  },
  datepart: (c) => binders.date_part(c),
  date_trunc: bindDateTrunc,
  datetrunc: bindDateTrunc,
};

/** Names of the scalar functions strata knows, for error messages and docs. */
export const scalarFunctionNames: readonly string[] = Object.keys(binders).sort();

/** Binds a scalar function call; FUNCTION_NOT_FOUND for unknown names. */
export function bindScalarFunction(name: string, args: readonly Expr[], source: SourceText, pos: number): Expr | null {
  const binder = binders[name];
  if (binder === undefined) return null;
  return binder({ name, args, source, pos });
}

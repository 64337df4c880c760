/**
 * Implicit-conversion rules of the binder (DuckDB semantics where PostgreSQL differs):
 * common types for comparisons, CASE and COALESCE; which casts exist; the result types of
 * arithmetic on integers and decimals. Every rule here produces the argument types that
 * query/plan/expr.ts promises the executor.
 */
import { Types, storedDecimalPrecisionMax, type DataType } from '../../storage/index.js';

/** The decimal type a non-literal integer converts to when mixed with decimals (agreed with the executor). */
export const integerAsDecimal = Types.decimal(18, 0);

/** The DECIMAL precision when none is written (as DuckDB). */
export const decimalDefaultPrecision = 18;
/** The DECIMAL scale when neither precision nor scale is written (as DuckDB). */
export const decimalDefaultScale = 3;

/** True for SMALLINT, INTEGER, BIGINT. */
export function isInteger(type: DataType): boolean {
  return type.id === 'int16' || type.id === 'int32' || type.id === 'int64';
}

/** True for integers, decimals and DOUBLE. */
export function isNumeric(type: DataType): boolean {
  return isInteger(type) || type.id === 'decimal' || type.id === 'float64';
}

/** True for DATE and TIMESTAMP. */
export function isTemporal(type: DataType): boolean {
  return type.id === 'date' || type.id === 'timestamp';
}

const integerRank: Readonly<Record<string, number>> = { int16: 1, int32: 2, int64: 3 };

/** The wider of two integer types. */
export function widerInteger(a: DataType, b: DataType): DataType {
  return integerRank[a.id] >= integerRank[b.id] ? a : b;
}

/** A decimal type with precision capped at what strata computes exactly. */
export function decimalType(precision: number, scale: number): DataType {
  return Types.decimal(Math.min(Math.max(precision, scale, 1), storedDecimalPrecisionMax), scale);
}

/** The decimal an integer type becomes when mixed with decimals. */
export function asDecimal(type: DataType): DataType {
  return type.id === 'decimal' ? type : integerAsDecimal;
}

/** Precision of the wide decimals computed values may have (sums): held in 64 bits. */
export const wideDecimalPrecision = 38;

/** True for a computed DECIMAL wider than 18 digits. */
function isWide(type: DataType): boolean {
  return type.id === 'decimal' && (type.precision ?? 18) > storedDecimalPrecisionMax;
}

/** A decimal type that holds values of both (same scale: the larger; enough integer digits for both). */
export function commonDecimal(a: DataType, b: DataType): DataType {
  const left = asDecimal(a);
  const right = asDecimal(b);
  const scale = Math.max(left.scale ?? 0, right.scale ?? 0);
  // A wide operand keeps the result wide (DuckDB: DECIMAL(38,s)); the executor checks each value fits.
  if (isWide(left) || isWide(right)) return Types.decimal(wideDecimalPrecision, scale);
  const integerDigits = Math.max((left.precision ?? 18) - (left.scale ?? 0), (right.precision ?? 18) - (right.scale ?? 0));
  return decimalType(integerDigits + scale, scale);
}

/** The type both numeric arguments convert to for comparison, CASE, COALESCE, IN and %. */
export function commonNumericType(a: DataType, b: DataType): DataType {
  if (a.id === 'float64' || b.id === 'float64') return Types.float64;
  if (a.id === 'decimal' || b.id === 'decimal') return commonDecimal(a, b);
  return widerInteger(a, b);
}

/** The type two values convert to when compared or merged, or null when they do not mix. */
export function commonType(a: DataType, b: DataType): DataType | null {
  if (a.id === b.id && a.id !== 'decimal') return a.id === 'string' && a.length !== b.length ? Types.string : a;
  if (isNumeric(a) && isNumeric(b)) return commonNumericType(a, b);
  if (isTemporal(a) && isTemporal(b)) return Types.timestamp;
  // A string mixed with a date or timestamp is read as one (DuckDB's implicit VARCHAR cast).
  if (a.id === 'string' && isTemporal(b)) return b;
  if (b.id === 'string' && isTemporal(a)) return a;
  return null;
}

/** True when CAST(value AS to) exists for values of type `from` (it may still fail on a value). */
export function canCast(from: DataType, to: DataType): boolean {
  if (from.id === to.id || from.id === 'string' || to.id === 'string') return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (from.id === 'boolean') return isInteger(to);
  if (to.id === 'boolean') return isInteger(from);
  return isTemporal(from) && isTemporal(to);
}

/** Result type of decimal + or - decimal: the larger scale, one more integer digit. */
export function decimalAddType(a: DataType, b: DataType): DataType {
  const scale = Math.max(a.scale ?? 0, b.scale ?? 0);
  if (isWide(a) || isWide(b)) return Types.decimal(wideDecimalPrecision, scale);
  const integerDigits = Math.max((a.precision ?? 18) - (a.scale ?? 0), (b.precision ?? 18) - (b.scale ?? 0));
  return decimalType(integerDigits + scale + 1, scale);
}

/** Result type of decimal * decimal: scales add, precision min(p1 + p2, 18) (agreed with the executor). */
export function decimalMultiplyType(a: DataType, b: DataType): DataType | null {
  const scale = (a.scale ?? 0) + (b.scale ?? 0);
  if (scale > storedDecimalPrecisionMax) return null;
  if (isWide(a) || isWide(b)) return Types.decimal(wideDecimalPrecision, scale);
  return decimalType((a.precision ?? 18) + (b.precision ?? 18), scale);
}

/** Result type of sum(x): BIGINT for integers, DECIMAL(38,s) for decimals, DOUBLE for DOUBLE; null when not summable. */
export function sumType(type: DataType): DataType | null {
  if (isInteger(type)) return Types.int64;
  if (type.id === 'decimal') return Types.decimal(38, type.scale ?? 0);
  if (type.id === 'float64') return Types.float64;
  return null;
}

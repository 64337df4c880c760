/**
 * Literal typing and exact conversion. A numeric literal takes the narrowest type that holds it
 * as written (DuckDB: 1 is INTEGER, 1.50 is DECIMAL(3,2), 1e3 is DOUBLE); where a literal meets
 * a column, the binder converts the literal to the column's type when that is exact, so scans
 * compare in the column's own units and partition pruning can use min/max directly.
 */
import {
  Types, parseDate, parseDecimal, parseTimestamp, powerOfTen, storedDecimalPrecisionMax,
  type DataType,
} from '../../storage/index.js';
import type { IntervalValue, Literal } from '../plan/expr.js';
import { literal } from '../plan/expr-utils.js';
import { isInteger } from './type-rules.js';

const int16Max = 32_767;
const int32Max = 2_147_483_647;
const microsPerSecond = 1_000_000;
const microsPerDay = 86_400 * microsPerSecond;

/** The literal of a number as written, or null when an integer is beyond ±2^53. */
export function numberLiteral(text: string): Literal | null {
  if (/[eE]/.test(text)) return literal(Number(text), Types.float64);
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (match === null) return literal(Number(text), Types.float64);
  const integerDigits = match[2].replace(/^0+/, '').length;
  if (match[3] === undefined) {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) return null;
    return literal(value, Math.abs(value) <= int32Max ? Types.int32 : Types.int64);
  }
  const scale = match[3].length;
  const precision = Math.max(integerDigits + scale, 1);
  const scaled = parseDecimal(text, scale);
  if (precision > storedDecimalPrecisionMax || scaled === null) return literal(Number(text), Types.float64);
  return literal(scaled, Types.decimal(precision, scale));
}

/** True when |value| has at most `precision` digits. */
function fitsPrecision(value: number, precision: number): boolean {
  return Number.isSafeInteger(value) && Math.abs(value) < 10 ** precision;
}

function integerFits(value: number, type: DataType): boolean {
  if (!Number.isSafeInteger(value)) return false;
  if (type.id === 'int16') return Math.abs(value) <= int16Max + (value < 0 ? 1 : 0);
  if (type.id === 'int32') return Math.abs(value) <= int32Max + (value < 0 ? 1 : 0);
  return true;
}

/** Rescales a scaled integer from scale `from` to scale `to`; null when digits would be lost. */
function rescale(value: number, from: number, to: number): number | null {
  if (to >= from) {
    const scaled = value * powerOfTen(to - from);
    return Number.isSafeInteger(scaled) ? scaled : null;
  }
  const divisor = powerOfTen(from - to);
  return value % divisor === 0 ? value / divisor : null;
}

/** A numeric literal converted exactly to a numeric type, or null when not exact. */
function adaptNumber(value: number, from: DataType, target: DataType): number | null {
  const fromScale = from.id === 'decimal' ? from.scale ?? 0 : 0;
  if (from.id === 'float64') return target.id === 'float64' ? value : null;
  if (target.id === 'float64') return value / powerOfTen(fromScale);
  if (target.id === 'decimal') {
    const scaled = rescale(value, fromScale, target.scale ?? 0);
    return scaled !== null && fitsPrecision(scaled, target.precision ?? 18) ? scaled : null;
  }
  if (isInteger(target)) {
    const whole = rescale(value, fromScale, 0);
    return whole !== null && integerFits(whole, target) ? whole : null;
  }
  return null;
}

/** Result of converting a string literal: the value, or 'invalid' when the text is not a value of the type. */
function parseAs(text: string, target: DataType): Literal | 'invalid' | null {
  switch (target.id) {
    case 'date': {
      const days = parseDate(text);
      return days === null ? 'invalid' : literal(days, target);
    }
    case 'timestamp': {
      const micros = parseTimestamp(text);
      return micros === null ? 'invalid' : literal(micros, target);
    }
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (['true', 't', 'yes', 'y', '1'].includes(lower)) return literal(true, target);
      if (['false', 'f', 'no', 'n', '0'].includes(lower)) return literal(false, target);
      return 'invalid';
    }
    case 'string': return literal(text, target);
    case 'interval': return null;
    default: {
      const number = numberLiteral(text.trim());
      if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) || number === null) return 'invalid';
      const adapted = adaptNumber(Number(number.value), number.type, target);
      if (adapted !== null) return literal(adapted, target);
      return target.id === 'float64' ? literal(Number(text), target) : 'invalid';
    }
  }
}

/**
 * The literal converted exactly to `target`; null when the conversion is not exact (the caller
 * then casts), 'invalid' when a string literal is not a value of the target type at all.
 */
export function adaptLiteral(value: Literal, target: DataType): Literal | null | 'invalid' {
  if (value.value === null) return literal(null, target);
  const from = value.type;
  if (from.id === 'string') return parseAs(String(value.value), target);
  if (typeof value.value === 'number' && (isInteger(from) || from.id === 'decimal' || from.id === 'float64')) {
    const adapted = adaptNumber(value.value, from, target);
    return adapted === null ? null : literal(adapted, target);
  }
  if (from.id === 'date' && target.id === 'timestamp') return literal(Number(value.value) * microsPerDay, target);
  if (from.id === target.id && from.id !== 'decimal') return literal(value.value, target);
  return null;
}

const unitMonths: Readonly<Record<string, number>> = { year: 12, years: 12, month: 1, months: 1, mon: 1, mons: 1, quarter: 3, quarters: 3 };
const unitDays: Readonly<Record<string, number>> = { day: 1, days: 1, week: 7, weeks: 7 };
const unitMicros: Readonly<Record<string, number>> = {
  hour: 3600 * microsPerSecond, hours: 3600 * microsPerSecond,
  minute: 60 * microsPerSecond, minutes: 60 * microsPerSecond, min: 60 * microsPerSecond, mins: 60 * microsPerSecond,
  second: microsPerSecond, seconds: microsPerSecond, sec: microsPerSecond, secs: microsPerSecond,
  millisecond: 1000, milliseconds: 1000, microsecond: 1, microseconds: 1,
};

/** Adds `count` of `unit` to an interval; false for an unknown unit or a fractional calendar count. */
function addUnit(parts: { months: number; days: number; micros: number }, count: number, unit: string): boolean {
  const lower = unit.toLowerCase();
  if (unitMonths[lower] !== undefined) {
    if (!Number.isInteger(count)) return false;
    parts.months += count * unitMonths[lower];
  } else if (unitDays[lower] !== undefined) {
    if (!Number.isInteger(count)) return false;
    parts.days += count * unitDays[lower];
  } else if (unitMicros[lower] !== undefined) {
    parts.micros += Math.round(count * unitMicros[lower]);
  } else {
    return false;
  }
  return true;
}

/** The interval of INTERVAL 'text' [unit] ('90' day, '1 year 2 months', '10 minutes'), or null when invalid. */
export function parseInterval(text: string, unit: string | null): IntervalValue | null {
  const parts = { months: 0, days: 0, micros: 0 };
  if (unit !== null) {
    const count = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(count)) return null;
    return addUnit(parts, count, unit) ? parts : null;
  }
  const pattern = /\s*([+-]?\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*/y;
  let matched = 0;
  let position = 0;
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null || !addUnit(parts, Number(match[1]), match[2])) return null;
    position = pattern.lastIndex;
    matched++;
  }
  return matched > 0 ? parts : null;
}

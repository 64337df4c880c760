/**
 * date_part (EXTRACT) and date_trunc over dates and timestamps, with DuckDB's part names and
 * results (dow: Sunday = 0; isodow: Monday = 1; week: ISO week; epoch: seconds). The part is a
 * constant; each kernel computes one part per row without allocating, and reuses the previous
 * row's answer when the value repeats (sorted or clustered dates are common).
 */
import { allocateValues, daysFromCivil, numericVector, StrataError, type DataType, type NumericVector, type Vector } from '../../storage/index.js';
import { civil, dayOfWeek, microsPerDay, mondayOnOrBefore, toCivil, toIsoWeek } from './calendar.js';
import { isNullScalar, materialize, type Operand } from './operand.js';
import { nullVector } from './vector-ops.js';

const partAliases: Record<string, string> = {
  y: 'year', yr: 'year', yrs: 'year', years: 'year', mon: 'month', mons: 'month', months: 'month',
  d: 'day', days: 'day', dayofmonth: 'day', dayofweek: 'dow', weekday: 'dow', dayofyear: 'doy',
  w: 'week', weeks: 'week', weekofyear: 'week', h: 'hour', hr: 'hour', hours: 'hour', m: 'minute',
  min: 'minute', minutes: 'minute', mins: 'minute', s: 'second', sec: 'second', seconds: 'second', secs: 'second',
  ms: 'millisecond', milliseconds: 'millisecond', msec: 'millisecond', us: 'microsecond',
  microseconds: 'microsecond', usec: 'microsecond', quarters: 'quarter', decades: 'decade',
  centuries: 'century', millennia: 'millennium', millenniums: 'millennium',
};

/** The canonical name of a date part, or a PLAN error naming the accepted ones. */
export function datePart(name: string): string {
  const lower = name.trim().toLowerCase();
  const part = partAliases[lower] ?? lower;
  const known = ['year', 'month', 'day', 'dow', 'isodow', 'doy', 'week', 'quarter', 'epoch', 'decade', 'century',
    'millennium', 'yearweek', 'isoyear', 'hour', 'minute', 'second', 'millisecond', 'microsecond'];
  if (!known.includes(part)) {
    throw new StrataError('plan', 'INVALID_DATE_PART', `unknown date part '${name}'; use one of ${known.join(', ')}`, { part: name });
  }
  return part;
}

/** One part of a day number (time parts are 0 for dates). */
function partOfDays(part: string, days: number): number {
  switch (part) {
    case 'dow': return dayOfWeek(days);
    case 'isodow': return dayOfWeek(days) === 0 ? 7 : dayOfWeek(days);
    case 'epoch': return days * 86_400;
    case 'week': toIsoWeek(days); return civil[1];
    case 'isoyear': toIsoWeek(days); return civil[0];
    case 'yearweek': toIsoWeek(days); return civil[0] * 100 + civil[1];
    case 'hour': case 'minute': case 'second': case 'millisecond': case 'microsecond': return 0;
    default: break;
  }
  toCivil(days);
  const year = civil[0];
  switch (part) {
    case 'year': return year;
    case 'month': return civil[1];
    case 'day': return civil[2];
    case 'quarter': return Math.floor((civil[1] - 1) / 3) + 1;
    case 'doy': return days - daysFromCivil(year, 1, 1) + 1;
    case 'decade': return Math.floor(year / 10);
    case 'century': return year > 0 ? Math.floor((year - 1) / 100) + 1 : Math.floor(year / 100) - 1;
    default: return year > 0 ? Math.floor((year - 1) / 1000) + 1 : Math.floor(year / 1000) - 1; // millennium
  }
}

/** One part of a timestamp in microseconds. */
function partOfMicros(part: string, micros: number): number {
  const days = Math.floor(micros / microsPerDay);
  const time = micros - days * microsPerDay;
  switch (part) {
    case 'epoch': return micros / 1_000_000;
    case 'hour': return Math.floor(time / 3_600_000_000);
    case 'minute': return Math.floor(time / 60_000_000) % 60;
    case 'second': return Math.floor(time / 1_000_000) % 60;
    case 'millisecond': return Math.floor(time / 1000) % 60_000;
    case 'microsecond': return time % 60_000_000;
    default: return partOfDays(part, days);
  }
}

/** date_part(part, x): `type` is the call's result type (BIGINT, or DOUBLE for epoch). */
export function evaluateDatePart(type: DataType, args: readonly Operand[], n: number): Vector {
  if (isNullScalar(args[0]) || isNullScalar(args[1])) return nullVector(type, n);
  const part = datePart(String((args[0] as { value: unknown }).value));
  const input = materialize(args[1], n) as NumericVector;
  const source = input.values as ArrayLike<number>;
  const out = allocateValues(type, n) as Float64Array;
  const isDate = input.type.id === 'date';
  let previous = Number.NaN;
  let answer = 0;
  for (let i = 0; i < n; i++) {
    const v = source[i];
    if (v !== previous) {
      answer = isDate ? partOfDays(part, v) : partOfMicros(part, v);
      previous = v;
    }
    out[i] = answer;
  }
  return numericVector(type, out, input.nulls);
}

/** The first day of the unit holding `days`. */
function truncateDays(part: string, days: number): number {
  if (part === 'week') return mondayOnOrBefore(days);
  if (part === 'day') return days;
  toCivil(days);
  const year = civil[0];
  switch (part) {
    case 'month': return daysFromCivil(year, civil[1], 1);
    case 'quarter': return daysFromCivil(year, Math.floor((civil[1] - 1) / 3) * 3 + 1, 1);
    case 'year': return daysFromCivil(year, 1, 1);
    case 'decade': return daysFromCivil(Math.floor(year / 10) * 10, 1, 1);
    case 'century': return daysFromCivil(Math.floor((year - 1) / 100) * 100 + 1, 1, 1);
    case 'millennium': return daysFromCivil(Math.floor((year - 1) / 1000) * 1000 + 1, 1, 1);
    default: return days;
  }
}

const timeUnits: Record<string, number> = {
  hour: 3_600_000_000, minute: 60_000_000, second: 1_000_000, millisecond: 1000, microsecond: 1,
};

/** date_trunc(part, x): the result has the call's type (DATE or TIMESTAMP). */
export function evaluateDateTrunc(type: DataType, args: readonly Operand[], n: number): Vector {
  if (isNullScalar(args[0]) || isNullScalar(args[1])) return nullVector(type, n);
  const part = datePart(String((args[0] as { value: unknown }).value));
  const input = materialize(args[1], n) as NumericVector;
  const source = input.values as ArrayLike<number>;
  const out = allocateValues(type, n) as Float64Array;
  const inputUnit = input.type.id === 'date' ? microsPerDay : 1;
  const outputUnit = type.id === 'date' ? microsPerDay : 1;
  const timeUnit = timeUnits[part];
  let previous = Number.NaN;
  let answer = 0;
  for (let i = 0; i < n; i++) {
    const v = source[i];
    if (v !== previous) {
      const micros = v * inputUnit;
      let truncated: number;
      if (timeUnit !== undefined) truncated = Math.floor(micros / timeUnit) * timeUnit;
      else truncated = truncateDays(part, Math.floor(micros / microsPerDay)) * microsPerDay;
      answer = Math.floor(truncated / outputUnit);
      previous = v;
    }
    out[i] = answer;
  }
  return numericVector(type, out, input.nulls);
}

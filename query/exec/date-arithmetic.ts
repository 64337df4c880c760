/**
 * Date and timestamp arithmetic: date ± integer days, date - date, and date/timestamp ± a
 * constant interval with calendar months (day clamped to the month's end, as PostgreSQL and
 * DuckDB do: 2024-01-31 + 1 month = 2024-02-29).
 */
import { allocateValues, numericVector, typeToSql, type DataType, type NumericVector, type Vector } from '../../storage/index.js';
import type { IntervalValue } from '../plan/index.js';
import { binaryKernel } from './kernel-compiler.js';
import { badPlan, executionNotSupported } from './exec-errors.js';
import { addMonths, microsPerDay } from './calendar.js';
import { materialize, scalarInterval, scalarNumber, type Operand } from './operand.js';
import { unionNulls } from './vector-ops.js';

const integerTypes = new Set(['int16', 'int32', 'int64']);

/** True when an arithmetic call involves a date, timestamp or interval. */
export function isDateTimeArithmetic(left: DataType, right: DataType): boolean {
  const temporal = (t: DataType): boolean => t.id === 'date' || t.id === 'timestamp' || t.id === 'interval';
  return temporal(left) || temporal(right);
}

/** Evaluates + or - with a date, timestamp or interval operand. */
export function evaluateDateArithmetic(fn: string, type: DataType, left: Operand, right: Operand, n: number): Vector {
  const l = left.type.id;
  const r = right.type.id;
  if (r === 'interval' && (l === 'date' || l === 'timestamp') && (fn === 'add' || fn === 'subtract')) {
    const interval = scalarInterval(right);
    return addInterval(type, materialize(left, n) as NumericVector, fn === 'add' ? interval : negateInterval(interval), n);
  }
  if (l === 'interval' && (r === 'date' || r === 'timestamp') && fn === 'add') {
    return addInterval(type, materialize(right, n) as NumericVector, scalarInterval(left), n);
  }
  if (l === 'date' && integerTypes.has(r) && (fn === 'add' || fn === 'subtract')) return integerKernel(fn, type, left, right, n);
  if (integerTypes.has(l) && r === 'date' && fn === 'add') return integerKernel('add', type, right, left, n);
  if (l === 'date' && r === 'date' && fn === 'subtract') return integerKernel('subtract', type, left, right, n);
  if (l === 'timestamp' && r === 'timestamp' && fn === 'subtract') {
    throw executionNotSupported('timestamp - timestamp (an INTERVAL per row)', "use date_part('epoch', a) - date_part('epoch', b) for seconds");
  }
  throw badPlan(`${fn}(${typeToSql(left.type)}, ${typeToSql(right.type)})`);
}

function negateInterval(interval: IntervalValue): IntervalValue {
  return { months: -interval.months, days: -interval.days, micros: -interval.micros };
}

/** date ± days, date - date: plain integer arithmetic on day numbers. */
function integerKernel(fn: 'add' | 'subtract', type: DataType, left: Operand, right: Operand, n: number): Vector {
  const base = materialize(left, n) as NumericVector;
  const out = allocateValues(type, n);
  const shape = right.kind === 'scalar' ? 'vs' : 'vv';
  const rightValues = right.kind === 'scalar' ? scalarNumber(right) : (right as NumericVector).values as ArrayLike<number>;
  const leftValues = base.values as ArrayLike<number>;
  binaryKernel(fn, shape, false, leftValues, rightValues, out)(leftValues, rightValues, out, n, 1, 1, 0, 0);
  const rightNulls = right.kind === 'scalar' ? null : right.nulls;
  return numericVector(type, out, unionNulls(base.nulls, rightNulls, n));
}

function addInterval(type: DataType, base: NumericVector, interval: IntervalValue, n: number): Vector {
  const source = base.values as ArrayLike<number>;
  if (base.type.id === 'date' && type.id === 'date' && interval.micros === 0) {
    const out = new Int32Array(n);
    const { months, days } = interval;
    if (months === 0) for (let i = 0; i < n; i++) out[i] = source[i] + days;
    else for (let i = 0; i < n; i++) out[i] = addMonths(source[i], months) + days;
    return numericVector(type, out, base.nulls);
  }
  const micros = new Float64Array(n);
  const unit = base.type.id === 'date' ? microsPerDay : 1;
  for (let i = 0; i < n; i++) micros[i] = source[i] * unit;
  addIntervalToMicros(micros, interval, n);
  if (type.id === 'timestamp') return numericVector(type, micros, base.nulls);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(micros[i] / microsPerDay);
  return numericVector(type, out, base.nulls);
}

/** Adds an interval to timestamps in place: months on the calendar date, then days and time. */
export function addIntervalToMicros(micros: Float64Array, interval: IntervalValue, n: number): void {
  const { months } = interval;
  const shift = interval.days * microsPerDay + interval.micros;
  if (months !== 0) {
    for (let i = 0; i < n; i++) {
      const value = micros[i];
      const day = Math.floor(value / microsPerDay);
      micros[i] = addMonths(day, months) * microsPerDay + (value - day * microsPerDay);
    }
  }
  if (shift !== 0) for (let i = 0; i < n; i++) micros[i] += shift;
}

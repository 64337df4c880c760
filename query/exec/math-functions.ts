/**
 * Math functions: abs, round, floor, ceil, sqrt, power, ln, exp, sign. Decimals stay exact
 * (round/floor/ceil work on the scaled integer); the transcendental functions compute in
 * doubles. Arguments outside a function's domain raise NUMERIC_OUT_OF_RANGE as in DuckDB.
 */
import {
  allocateValues, numericVector, typeToSql,
  type DataType, type NumericVector, type Vector,
} from '../../storage/index.js';
import { badPlan, numericOutOfRange } from './exec-errors.js';
import { divideRounded, isWideDecimal, rescale, scaleOf, tenTo } from './decimal.js';
import { castVector } from './cast.js';
import { isNullScalar, materialize, operandAsDouble, scalarNumber, type Operand } from './operand.js';
import { nullVector, unionNulls } from './vector-ops.js';

/** Math functions of this module. */
export type MathFunction = 'abs' | 'round' | 'floor' | 'ceil' | 'sqrt' | 'power' | 'ln' | 'exp' | 'sign';

/** Evaluates a math function; `type` is the call's result type. */
export function evaluateMath(fn: MathFunction, type: DataType, args: readonly Operand[], n: number): Vector {
  if (args.some(isNullScalar)) return nullVector(type, n);
  if (args.some((a) => isWideDecimal(a.type))) {
    // Wide decimals only come out of sums; compute on the narrowed value.
    args = args.map((a) => (isWideDecimal(a.type) ? castVector(materialize(a, n), { id: 'float64' }) : a));
  }
  const input = materialize(args[0], n) as NumericVector;
  switch (fn) {
    case 'abs': return absolute(type, input, n);
    case 'sign': return signOf(type, input, n);
    case 'round': return roundTo(type, input, args.length > 1 ? args[1] : null, n);
    case 'floor':
    case 'ceil': return floorOrCeil(fn, type, input, n);
    case 'power': return power(type, args, n);
    default: return transcendental(fn, type, input, n);
  }
}

function absolute(type: DataType, input: NumericVector, n: number): Vector {
  const source = input.values as Float64Array;
  const out = allocateValues(type, n) as Float64Array;
  const limit = type.id === 'int16' ? 32767 : type.id === 'int32' ? 2147483647 : Infinity;
  for (let i = 0; i < n; i++) {
    const v = Math.abs(source[i]);
    if (v > limit && (input.nulls === null || input.nulls[i] === 0)) {
      throw numericOutOfRange(`abs of ${typeToSql(type)}`, `abs(${source[i]}) is out of range for ${typeToSql(type)}`);
    }
    out[i] = v;
  }
  return numericVector(type, out, input.nulls);
}

function signOf(type: DataType, input: NumericVector, n: number): Vector {
  const source = input.values as Float64Array;
  const out = allocateValues(type, n) as Float64Array;
  for (let i = 0; i < n; i++) {
    const v = source[i];
    out[i] = v > 0 ? 1 : v < 0 ? -1 : 0;
  }
  return numericVector(type, out, input.nulls);
}

/** round(x [, digits]): half away from zero; digits may be negative (round(15, -1) = 20). */
function roundTo(type: DataType, input: NumericVector, digitsOperand: Operand | null, n: number): Vector {
  const digits = digitsOperand === null ? null : materialize(digitsOperand, n) as NumericVector;
  const digitsAt = (i: number): number => (digits === null ? 0 : Number(digits.values[i]));
  const nulls = unionNulls(input.nulls, digits === null ? null : digits.nulls, n);
  const source = input.values as Float64Array;
  const out = allocateValues(type, n) as Float64Array;
  const fromScale = scaleOf(input.type);
  const toScale = scaleOf(type);
  const isDouble = input.type.id === 'float64';
  for (let i = 0; i < n; i++) {
    const d = digitsAt(i);
    const v = source[i];
    if (isDouble) {
      // As DuckDB: round(v * 10^d) / 10^d, with negative d dividing first to stay exact.
      if (d >= 0) {
        const factor = tenTo(d);
        const scaled = v * factor;
        out[i] = Number.isFinite(scaled) ? (scaled < 0 ? -Math.round(-scaled) : Math.round(scaled)) / factor : v;
      } else {
        const factor = tenTo(-d);
        const scaled = v / factor;
        out[i] = (scaled < 0 ? -Math.round(-scaled) : Math.round(scaled)) * factor;
      }
    } else if (d >= fromScale) {
      out[i] = rescale(v, fromScale, toScale);
    } else {
      // Round the scaled integer to d digits (units of 10^-d), then express it at the result scale.
      const rounded = divideRounded(v, tenTo(fromScale - d));
      out[i] = d >= 0 ? rescale(rounded, d, toScale) : rounded * tenTo(-d) * tenTo(toScale);
    }
  }
  return numericVector(type, out, nulls);
}

function floorOrCeil(fn: 'floor' | 'ceil', type: DataType, input: NumericVector, n: number): Vector {
  const source = input.values as Float64Array;
  const out = allocateValues(type, n) as Float64Array;
  const operate = fn === 'floor' ? Math.floor : Math.ceil;
  if (input.type.id === 'decimal') {
    const divisor = tenTo(scaleOf(input.type));
    const toScale = scaleOf(type);
    for (let i = 0; i < n; i++) {
      const v = source[i];
      // Exact: correct the floating quotient by the remainder's sign.
      let q = Math.trunc(v / divisor);
      const r = v - q * divisor;
      if (r < 0 && fn === 'floor') q -= 1;
      if (r > 0 && fn === 'ceil') q += 1;
      if (r >= divisor) q += 1;
      if (r <= -divisor) q -= 1;
      out[i] = rescale(q + 0, 0, toScale);
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = operate(source[i]) + 0;
  }
  return numericVector(type, out, input.nulls);
}

function power(type: DataType, args: readonly Operand[], n: number): Vector {
  if (args.length !== 2) throw badPlan('power takes two arguments');
  const base = materialize(operandAsDouble(args[0], n), n) as NumericVector;
  const exponent = operandAsDouble(args[1], n);
  const out = new Float64Array(n);
  const b = base.values as Float64Array;
  if (exponent.kind === 'scalar') {
    const e = scalarNumber(exponent);
    for (let i = 0; i < n; i++) out[i] = b[i] ** e;
    return castIfNeeded(numericVector({ id: 'float64' }, out, base.nulls), type);
  }
  const e = (exponent as NumericVector).values as Float64Array;
  for (let i = 0; i < n; i++) out[i] = b[i] ** e[i];
  return castIfNeeded(numericVector({ id: 'float64' }, out, unionNulls(base.nulls, exponent.nulls, n)), type);
}

function transcendental(fn: 'sqrt' | 'ln' | 'exp', type: DataType, input: NumericVector, n: number): Vector {
  const doubles = materialize(operandAsDouble(input, n), n) as NumericVector;
  const source = doubles.values as Float64Array;
  const out = new Float64Array(n);
  const nulls = input.nulls;
  const operate = fn === 'sqrt' ? Math.sqrt : fn === 'ln' ? Math.log : Math.exp;
  for (let i = 0; i < n; i++) {
    const v = source[i];
    if (fn !== 'exp' && (v < 0 || (fn === 'ln' && v === 0)) && (nulls === null || nulls[i] === 0)) {
      const what = fn === 'sqrt' ? 'square root of a negative number' : v === 0 ? 'logarithm of zero' : 'logarithm of a negative number';
      throw numericOutOfRange(fn, `cannot take the ${what} (${v})`);
    }
    out[i] = operate(v);
  }
  return castIfNeeded(numericVector({ id: 'float64' }, out, nulls), type);
}

function castIfNeeded(vector: Vector, type: DataType): Vector {
  return type.id === 'float64' ? vector : castVector(vector, type);
}

/**
 * Arithmetic and comparison on wide decimals (precision above 18, held in BigInt64Array), which
 * only computed values have: sum(decimal) is DECIMAL(38,s). These run in exact bigint per row;
 * they follow aggregation, so they see few rows.
 */
import { exactIntegerMax, numericVector, type DataType, type NumericArray, type NumericVector, type Vector } from '../../storage/index.js';
import { decimalOverflow } from './exec-errors.js';
import { bigTenTo, formatBigDecimal, isWideDecimal, rescaleBig, scaleOf, tenTo } from './decimal.js';
import { scalarNumber, type Operand } from './operand.js';
import { unionNulls } from './vector-ops.js';

const int64Max = (1n << 63n) - 1n;
const exactMax = BigInt(exactIntegerMax);

/** Row i of an operand as an exact bigint scaled integer. */
function bigOf(operand: Operand, i: number): bigint {
  if (operand.kind === 'scalar') return BigInt(Math.round(scalarNumber(operand)));
  const v = (operand as NumericVector).values[i];
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** Row i of an operand as a double in real units (scaled integer / 10^scale). */
function doubleOf(operand: Operand, i: number): number {
  const divisor = tenTo(scaleOf(operand.type));
  if (operand.kind === 'scalar') return scalarNumber(operand) / divisor;
  return Number((operand as NumericVector).values[i]) / divisor;
}

function nullsOf(left: Operand, right: Operand, n: number): Uint8Array | null {
  return unionNulls(left.kind === 'scalar' ? null : left.nulls, right.kind === 'scalar' ? null : right.nulls, n);
}

/** Stores an exact result into the output array of `type`, checking that it fits. */
function store(out: NumericArray, i: number, value: bigint, type: DataType, operation: string): void {
  const limit = out instanceof BigInt64Array ? int64Max : exactMax;
  if (value > limit || value < -limit) throw decimalOverflow(operation, type, formatBigDecimal(value, scaleOf(type)));
  if (out instanceof BigInt64Array) out[i] = value;
  else out[i] = Number(value);
}

/** + - * / // % where an operand or the result is a wide decimal. */
export function evaluateWideDecimalArithmetic(fn: string, type: DataType, left: Operand, right: Operand, n: number): Vector {
  const nulls = nullsOf(left, right, n);
  if (type.id === 'float64') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = doubleOf(left, i);
      const b = doubleOf(right, i);
      out[i] = fn === 'add' ? a + b : fn === 'subtract' ? a - b : fn === 'multiply' ? a * b : fn === 'modulo' ? a % b : a / b;
    }
    return numericVector(type, out, nulls);
  }
  const out: NumericArray = isWideDecimal(type) ? new BigInt64Array(n) : new Float64Array(n);
  const leftScale = scaleOf(left.type);
  const rightScale = scaleOf(right.type);
  const scale = scaleOf(type);
  let resultNulls = nulls;
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const a = bigOf(left, i);
    const b = bigOf(right, i);
    let value: bigint;
    if (fn === 'multiply') value = rescaleBig(a * b, leftScale + rightScale, scale);
    else if (fn === 'add') value = rescaleBig(a, leftScale, scale) + rescaleBig(b, rightScale, scale);
    else if (fn === 'subtract') value = rescaleBig(a, leftScale, scale) - rescaleBig(b, rightScale, scale);
    else {
      const common = Math.max(leftScale, rightScale);
      const x = rescaleBig(a, leftScale, common);
      const y = rescaleBig(b, rightScale, common);
      if (y === 0n) {
        resultNulls ??= new Uint8Array(n);
        resultNulls[i] = 1;
        continue;
      }
      value = fn === 'modulo' ? rescaleBig(x % y, common, scale) : (x / y) * bigTenTo(scale);
    }
    store(out, i, value, type, fn);
  }
  return numericVector(type, out, resultNulls);
}

/** Exact comparison of decimals where an operand is wide; result 1/0 per row. */
export function compareWideDecimals(fn: string, left: Operand, right: Operand, n: number): Vector {
  const nulls = nullsOf(left, right, n);
  const out = new Uint8Array(n);
  const leftScale = scaleOf(left.type);
  const rightScale = scaleOf(right.type);
  const common = Math.max(leftScale, rightScale);
  for (let i = 0; i < n; i++) {
    if (nulls !== null && nulls[i] === 1) continue;
    const a = rescaleBig(bigOf(left, i), leftScale, common);
    const b = rescaleBig(bigOf(right, i), rightScale, common);
    const c = a < b ? -1 : a > b ? 1 : 0;
    out[i] = Number(fn === 'eq' ? c === 0 : fn === 'ne' ? c !== 0 : fn === 'lt' ? c < 0 : fn === 'le' ? c <= 0 : fn === 'gt' ? c > 0 : c >= 0);
  }
  return numericVector({ id: 'boolean' }, out, nulls);
}

/**
 * Comparison kernels (= <> < <= > >=) over every type. Strings compare by UTF-16 code unit
 * order; a string column against a constant is compared once per dictionary entry. Doubles
 * follow DuckDB: NaN equals NaN and sorts above every other value. Decimals of different scales
 * are aligned first.
 */
import { numericVector, type DataType, type NumericVector, type StringVector, type Vector } from '../../storage/index.js';
import { binaryKernel, type KernelOperator } from './kernel-compiler.js';
import { isWideDecimal, scaleOf, tenTo } from './decimal.js';
import { isNullScalar, materialize, operandAsDouble, type Operand, type Scalar } from './operand.js';
import { kernelInputs } from './arithmetic.js';
import { nullVector, unionNulls } from './vector-ops.js';
import { compareWideDecimals } from './wide-decimal.js';

/** The comparison functions. */
export type ComparisonFunction = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

const booleanType: DataType = { id: 'boolean' };

/** Result of each comparison for an ordering of -1, 0, 1 (indexed by ordering + 1). */
const outcomes: Record<ComparisonFunction, Uint8Array> = {
  eq: Uint8Array.of(0, 1, 0),
  ne: Uint8Array.of(1, 0, 1),
  lt: Uint8Array.of(1, 0, 0),
  le: Uint8Array.of(1, 1, 0),
  gt: Uint8Array.of(0, 0, 1),
  ge: Uint8Array.of(0, 1, 1),
};

/** The comparison that holds with the operands swapped (a < b iff b > a). */
export const flippedComparison: Record<ComparisonFunction, ComparisonFunction> = {
  eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le',
};

/** Evaluates a comparison of two operands over n rows. */
export function evaluateComparison(fn: ComparisonFunction, left: Operand, right: Operand, n: number): Vector {
  if (isNullScalar(left) || isNullScalar(right)) return nullVector(booleanType, n);
  if (left.type.id === 'string' || right.type.id === 'string') return compareStrings(fn, left, right, n);
  if (isWideDecimal(left.type) || isWideDecimal(right.type)) return compareWideDecimals(fn, left, right, n);
  let operator: KernelOperator = fn;
  let p = 1;
  let q = 1;
  if (left.type.id === 'float64' || right.type.id === 'float64') {
    left = operandAsDouble(left, n);
    right = operandAsDouble(right, n);
    operator = `${fn}_float`;
  } else if (left.type.id === 'decimal' || right.type.id === 'decimal') {
    const common = Math.max(scaleOf(left.type), scaleOf(right.type));
    p = tenTo(common - scaleOf(left.type));
    q = tenTo(common - scaleOf(right.type));
    if (p !== 1 || q !== 1) operator = `${fn}_scaled`;
  }
  const inputs = kernelInputs(left, right, n);
  const out = new Uint8Array(n);
  binaryKernel(operator, inputs.shape, false, inputs.left, inputs.right, out)(inputs.left, inputs.right, out, n, p, q, 0, 0);
  return numericVector(booleanType, out, inputs.nulls);
}

/** -1, 0 or 1 as a compares to b in UTF-16 code unit order. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareStrings(fn: ComparisonFunction, left: Operand, right: Operand, n: number): Vector {
  if (left.kind === 'scalar' && right.kind === 'scalar') left = materialize(left, n);
  if (left.kind === 'scalar') return compareStringToConstant(flippedComparison[fn], right as StringVector, left, n);
  if (right.kind === 'scalar') return compareStringToConstant(fn, left as StringVector, right, n);
  const a = left as StringVector;
  const b = right as StringVector;
  const table = outcomes[fn];
  const out = new Uint8Array(n);
  const nulls = unionNulls(a.nulls, b.nulls, n);
  for (let i = 0; i < n; i++) out[i] = table[compareText(a.dictionary[a.codes[i]] ?? '', b.dictionary[b.codes[i]] ?? '') + 1];
  return numericVector(booleanType, out, nulls);
}

function compareStringToConstant(fn: ComparisonFunction, vector: StringVector, constant: Scalar, n: number): Vector {
  const text = String(constant.value);
  const table = outcomes[fn];
  const out = new Uint8Array(n);
  const { codes, dictionary } = vector;
  if (dictionary.length <= n) {
    // Few distinct values: compare each dictionary entry once, then map codes.
    const perEntry = new Uint8Array(dictionary.length);
    for (let d = 0; d < dictionary.length; d++) perEntry[d] = table[compareText(dictionary[d], text) + 1];
    for (let i = 0; i < n; i++) out[i] = perEntry[codes[i]];
  } else {
    for (let i = 0; i < n; i++) out[i] = table[compareText(dictionary[codes[i]] ?? '', text) + 1];
  }
  return numericVector(booleanType, out, vector.nulls);
}


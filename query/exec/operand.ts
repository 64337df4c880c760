/**
 * Kernel operands: a whole vector, or a scalar that a literal argument stays as, so that
 * `l_quantity < 24` compares against a number instead of a filled array.
 */
import {
  allocateValues, numericVector, stringVector,
  type Batch, type DataType, type NumericArray, type NumericVector, type Vector,
} from '../../storage/index.js';
import type { Expr, IntervalValue, LiteralValue } from '../plan/index.js';
import { executionNotSupported } from './exec-errors.js';
import { nullVector } from './vector-ops.js';
import { scaleOf, tenTo } from './decimal.js';

/** A constant operand. `value` is in the in-memory units of storage/vector.ts. */
export interface Scalar {
  readonly kind: 'scalar';
  readonly type: DataType;
  readonly value: LiteralValue;
}

/** What a kernel takes as an argument. */
export type Operand = Vector | Scalar;

/** The function kernels call to evaluate sub-expressions (passed in to keep modules acyclic). */
export type Evaluate = (expr: Expr, batch: Batch) => Vector;

/** A scalar operand. */
export function scalar(type: DataType, value: LiteralValue): Scalar {
  return { kind: 'scalar', type, value };
}

/** True when the operand is a scalar holding NULL. */
export function isNullScalar(operand: Operand): boolean {
  return operand.kind === 'scalar' && operand.value === null;
}

/** The operand as a number (booleans as 0/1); NULL and non-numbers are the caller's problem. */
export function scalarNumber(operand: Scalar): number {
  const value = operand.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return Number.NaN;
}

/** The interval a scalar holds; throws when the operand is not a constant interval. */
export function scalarInterval(operand: Operand): IntervalValue {
  if (operand.kind !== 'scalar' || operand.value === null || typeof operand.value !== 'object') {
    throw executionNotSupported('an INTERVAL computed per row', 'use a constant interval such as INTERVAL 3 MONTH');
  }
  return operand.value;
}

/** A vector holding `value` in each of n rows. */
export function constantVector(type: DataType, value: LiteralValue, n: number): Vector {
  if (value === null) return nullVector(type, n);
  if (type.id === 'string') return stringVector(type, new Int32Array(n), [String(value)]);
  if (type.id === 'interval') throw executionNotSupported('an INTERVAL column', 'use intervals only in date and timestamp arithmetic');
  const values: NumericArray = allocateValues(type, n);
  if (values instanceof BigInt64Array) values.fill(BigInt(value as number));
  else values.fill(typeof value === 'boolean' ? (value ? 1 : 0) : Number(value));
  return numericVector(type, values);
}

/** The operand as a vector of n rows. */
export function materialize(operand: Operand, n: number): Vector {
  return operand.kind === 'scalar' ? constantVector(operand.type, operand.value, n) : operand;
}

/** A decimal operand as doubles (value / 10^scale); other operands unchanged. */
export function operandAsDouble(operand: Operand, n: number): Operand {
  if (operand.type.id !== 'decimal') return operand;
  const divisor = tenTo(scaleOf(operand.type));
  const float64: DataType = { id: 'float64' };
  if (operand.kind === 'scalar') return scalar(float64, operand.value === null ? null : scalarNumber(operand) / divisor);
  const source = (operand as NumericVector).values;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = Number(source[i]) / divisor;
  return numericVector(float64, values, operand.nulls);
}

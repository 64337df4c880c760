/**
 * Arithmetic kernels: + - * / // % and unary minus over integers, doubles and decimals.
 *
 * Semantics follow DuckDB: `/` yields DOUBLE (x/0 is +-Infinity or NaN); `//` and `%` by zero
 * yield NULL; integer results out of their type's range raise NUMERIC_OUT_OF_RANGE; decimal
 * results beyond +-2^53 scaled units raise DECIMAL_OVERFLOW. Decimal operands of different scales
 * are aligned (+, -: result scale is the larger; *: the sum of scales).
 */
import {
  allocateValues, exactIntegerMax, numericVector, typeToSql,
  type DataType, type NumericArray, type NumericVector, type Vector,
} from '../../storage/index.js';
import { binaryKernel, type KernelOperator, type OperandShape } from './kernel-compiler.js';
import { badPlan, decimalOverflow, numericOutOfRange } from './exec-errors.js';
import { isWideDecimal, rescaleArray, scaleOf, tenTo } from './decimal.js';
import { isNullScalar, materialize, operandAsDouble, scalarNumber, type Operand } from './operand.js';
import { nullVector, unionNulls } from './vector-ops.js';
import { evaluateDateArithmetic, isDateTimeArithmetic } from './date-arithmetic.js';
import { evaluateWideDecimalArithmetic } from './wide-decimal.js';

/** The arithmetic functions of this module. */
export type ArithmeticFunction = 'add' | 'subtract' | 'multiply' | 'divide' | 'integer_divide' | 'modulo';

/** [low, high] a result type holds; null when no check is needed (doubles). */
function rangeOf(type: DataType): [number, number] | null {
  switch (type.id) {
    case 'int16': return [-32768, 32767];
    case 'int32': return [-2147483648, 2147483647];
    case 'int64':
    case 'decimal': return [-exactIntegerMax, exactIntegerMax];
    default: return null;
  }
}

/** Operands of a kernel: raw arrays or numbers and the shape they make. */
interface KernelInputs {
  readonly shape: OperandShape;
  readonly left: ArrayLike<number> | number;
  readonly right: ArrayLike<number> | number;
  readonly nulls: Uint8Array | null;
}

/** The raw arrays or numbers behind two operands, with the union of their NULLs. */
export function kernelInputs(leftOperand: Operand, rightOperand: Operand, n: number): KernelInputs {
  let leftValue = leftOperand;
  if (leftOperand.kind === 'scalar' && rightOperand.kind === 'scalar') leftValue = materialize(leftOperand, n);
  const raw = (operand: Operand): ArrayLike<number> | number =>
    operand.kind === 'scalar' ? scalarNumber(operand) : (operand as NumericVector).values as ArrayLike<number>;
  const shape: OperandShape = leftValue.kind === 'scalar' ? 'sv' : rightOperand.kind === 'scalar' ? 'vs' : 'vv';
  const leftNulls = leftValue.kind === 'scalar' ? null : leftValue.nulls;
  const rightNulls = rightOperand.kind === 'scalar' ? null : rightOperand.nulls;
  return { shape, left: raw(leftValue), right: raw(rightOperand), nulls: unionNulls(leftNulls, rightNulls, n) };
}

/** Runs a compiled kernel and returns the row that left the range (or -1). */
function run(operator: KernelOperator, inputs: KernelInputs, out: NumericArray, n: number, p: number, q: number, range: [number, number] | null): number {
  const kernel = binaryKernel(operator, inputs.shape, range !== null, inputs.left, inputs.right, out);
  return kernel(inputs.left, inputs.right, out, n, p, q, range === null ? 0 : range[0], range === null ? 0 : range[1]);
}

/** Evaluates an arithmetic function over two operands of n rows. */
export function evaluateArithmetic(fn: ArithmeticFunction, type: DataType, left: Operand, right: Operand, n: number): Vector {
  if (isNullScalar(left) || isNullScalar(right)) return nullVector(type, n);
  if (isDateTimeArithmetic(left.type, right.type)) return evaluateDateArithmetic(fn, type, left, right, n);
  if (isWideDecimal(left.type) || isWideDecimal(right.type) || isWideDecimal(type)) {
    return evaluateWideDecimalArithmetic(fn, type, left, right, n);
  }
  if (type.id === 'float64' || fn === 'divide') return floatArithmetic(fn, type, left, right, n);
  if (type.id === 'decimal') return decimalArithmetic(fn, type, left, right, n);
  return integerArithmetic(fn, type, left, right, n);
}

function floatArithmetic(fn: ArithmeticFunction, type: DataType, left: Operand, right: Operand, n: number): Vector {
  const operators: Record<ArithmeticFunction, KernelOperator> = {
    add: 'add', subtract: 'subtract', multiply: 'multiply', divide: 'divide', integer_divide: 'divide', modulo: 'modulo_float',
  };
  const inputs = kernelInputs(operandAsDouble(left, n), operandAsDouble(right, n), n);
  const out = new Float64Array(n);
  run(operators[fn], inputs, out, n, 1, 1, null);
  const result = numericVector({ id: 'float64' }, out, inputs.nulls);
  if (type.id === 'float64') return result;
  if (type.id === 'decimal') return doublesToDecimal(result, type, n);
  return integerFromDoubles(result, type, n);
}

/** Doubles rounded half away from zero into a decimal type (for a decimal-typed `/`). */
function doublesToDecimal(vector: NumericVector, type: DataType, n: number): Vector {
  const factor = tenTo(scaleOf(type));
  const source = vector.values as Float64Array;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = source[i] * factor;
    out[i] = v < 0 ? -Math.round(-v) : Math.round(v);
  }
  return numericVector(type, out, vector.nulls);
}

function integerFromDoubles(vector: NumericVector, type: DataType, n: number): Vector {
  const out = allocateValues(type, n) as Float64Array;
  const source = vector.values as Float64Array;
  for (let i = 0; i < n; i++) out[i] = Math.trunc(source[i]);
  return numericVector(type, out, vector.nulls);
}

function integerArithmetic(fn: ArithmeticFunction, type: DataType, left: Operand, right: Operand, n: number): Vector {
  if (!['int16', 'int32', 'int64'].includes(type.id)) throw badPlan(`${fn} yields ${typeToSql(type)} from ${typeToSql(left.type)}, ${typeToSql(right.type)}`);
  const inputs = kernelInputs(left, right, n);
  const out = allocateValues(type, n);
  if (fn === 'integer_divide' || fn === 'modulo') {
    run(fn === 'modulo' ? 'modulo' : 'integer_divide', inputs, out, n, 1, 1, null);
    return numericVector(type, out, nullWhereZero(inputs, n));
  }
  const range = rangeOf(type);
  const operator: KernelOperator = fn === 'multiply' ? 'multiply_exact' : fn === 'subtract' ? 'subtract' : 'add';
  if (run(operator, inputs, out, n, 1, 1, range) >= 0) checkRange(fn, operator, type, inputs, n, 1, 1);
  return numericVector(type, out, inputs.nulls);
}

function decimalArithmetic(fn: ArithmeticFunction, type: DataType, left: Operand, right: Operand, n: number): Vector {
  const leftScale = scaleOf(left.type);
  const rightScale = scaleOf(right.type);
  const scale = scaleOf(type);
  const inputs = kernelInputs(left, right, n);
  const out = new Float64Array(n);
  const range = rangeOf(type);
  if (fn === 'add' || fn === 'subtract') {
    const p = tenTo(scale - leftScale);
    const q = tenTo(scale - rightScale);
    const operator: KernelOperator = p === 1 && q === 1 ? fn : fn === 'add' ? 'add_scaled' : 'subtract_scaled';
    if (run(operator, inputs, out, n, p, q, range) >= 0) checkRange(fn, operator, type, inputs, n, p, q);
    return numericVector(type, out, inputs.nulls);
  }
  if (fn === 'multiply') {
    if (run('multiply_exact', inputs, out, n, 1, 1, range) >= 0) checkRange(fn, 'multiply_exact', type, inputs, n, 1, 1);
    return numericVector(type, rescaleArray(out, n, leftScale + rightScale, scale), inputs.nulls);
  }
  if (fn === 'modulo' || fn === 'integer_divide') {
    const common = Math.max(leftScale, rightScale);
    const operator: KernelOperator = fn === 'modulo' ? 'modulo_scaled' : 'integer_divide_scaled';
    run(operator, inputs, out, n, tenTo(common - leftScale), tenTo(common - rightScale), null);
    const resultScale = fn === 'modulo' ? common : 0;
    return numericVector(type, rescaleArray(out, n, resultScale, scale), nullWhereZero(inputs, n));
  }
  throw badPlan(`decimal ${fn}`);
}

/** The null mask of a // or % result: operand NULLs plus rows whose divisor is zero. */
function nullWhereZero(inputs: KernelInputs, n: number): Uint8Array | null {
  const divisor = inputs.right;
  if (typeof divisor === 'number') {
    if (divisor !== 0) return inputs.nulls;
    return new Uint8Array(n).fill(1);
  }
  let nulls = inputs.nulls;
  for (let i = 0; i < n; i++) {
    if (divisor[i] !== 0) continue;
    nulls ??= new Uint8Array(n);
    nulls[i] = 1;
  }
  return nulls;
}

/** Recomputes in doubles and throws for the first non-NULL row out of the result type's range. */
function checkRange(fn: ArithmeticFunction, operator: KernelOperator, type: DataType, inputs: KernelInputs, n: number, p: number, q: number): void {
  const exact = new Float64Array(n);
  run(operator, inputs, exact, n, p, q, null);
  const [low, high] = rangeOf(type) ?? [-Infinity, Infinity];
  for (let i = 0; i < n; i++) {
    const v = exact[i];
    if ((v >= low && v <= high) || (inputs.nulls !== null && inputs.nulls[i] === 1)) continue;
    const at = (side: ArrayLike<number> | number): number => (typeof side === 'number' ? side : side[i]);
    const text = `${at(inputs.left)} ${fn} ${at(inputs.right)}`;
    if (type.id === 'decimal') throw decimalOverflow(fn, type, `${text} (scaled units) = ${v}`);
    throw numericOutOfRange(`${fn} of ${typeToSql(type)}`, `${text} = ${v} is out of range for ${typeToSql(type)}`);
  }
}

/** Unary minus; -(-2^31) overflows INTEGER as in DuckDB. */
export function evaluateNegate(type: DataType, operand: Operand, n: number): Vector {
  if (isNullScalar(operand)) return nullVector(type, n);
  if (isWideDecimal(type)) {
    return evaluateWideDecimalArithmetic('subtract', type, { kind: 'scalar', type, value: 0 }, operand, n);
  }
  const vector = materialize(operand, n) as NumericVector;
  const out = allocateValues(type, n) as Float64Array;
  const source = vector.values as Float64Array;
  for (let i = 0; i < n; i++) out[i] = 0 - source[i];
  const range = rangeOf(type);
  if (range !== null && type.id !== 'decimal') {
    for (let i = 0; i < n; i++) {
      if (-source[i] > range[1] && (vector.nulls === null || vector.nulls[i] === 0)) {
        throw numericOutOfRange(`negation of ${typeToSql(type)}`, `-(${source[i]}) is out of range for ${typeToSql(type)}`);
      }
    }
  }
  return numericVector(type, out, vector.nulls);
}

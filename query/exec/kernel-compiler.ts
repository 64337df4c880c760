/**
 * Generates monomorphic loop kernels for binary operators.
 *
 * One JS function runs the loop of one (operator, operand shapes, array classes) combination, so
 * V8 sees a single array class at every element access and compiles a tight loop. The loop body
 * comes from the fixed operator table below, never from SQL text or data: user values reach a
 * kernel only as its arguments.
 */
import type { NumericArray } from '../../storage/index.js';

/** The operator bodies a kernel may run, over `a` (left) and `b` (right); p, q are parameters. */
const operatorBodies = {
  add: 'a + b',
  subtract: 'a - b',
  multiply: 'a * b',
  // Integer and decimal products add 0 so that -3 * 0 is 0, not the double -0.
  multiply_exact: 'a * b + 0',
  divide: 'a / b',
  // DuckDB: integer // and % by zero are NULL (the caller masks those rows); double % follows IEEE.
  integer_divide: 'b === 0 ? 0 : (a - a % b) / b + 0',
  modulo: 'b === 0 ? 0 : a % b + 0',
  modulo_float: 'a % b',
  integer_divide_scaled: 'b === 0 ? 0 : (a * p - (a * p) % (b * q)) / (b * q) + 0',
  modulo_scaled: 'b === 0 ? 0 : (a * p) % (b * q) + 0',
  // Decimal operands of different scales are aligned by multiplying with powers of ten.
  add_scaled: 'a * p + b * q',
  subtract_scaled: 'a * p - b * q',
  // Decimal to double conversion divides by the exact power of ten, as DuckDB does.
  divide_scaled: '(a / p) / (b / q)',
  // Comparisons yield booleans combined with & and |, which V8 compiles without branches
  // (a ternary `? 1 : 0` costs three times as much on unpredictable data).
  eq: '+(a === b)',
  ne: '+(a !== b)',
  lt: '+(a < b)',
  le: '+(a <= b)',
  gt: '+(a > b)',
  ge: '+(a >= b)',
  eq_scaled: '+(a * p === b * q)',
  ne_scaled: '+(a * p !== b * q)',
  lt_scaled: '+(a * p < b * q)',
  le_scaled: '+(a * p <= b * q)',
  gt_scaled: '+(a * p > b * q)',
  ge_scaled: '+(a * p >= b * q)',
  // DuckDB orders NaN above every other double and equal to itself.
  eq_float: '((a === b) | ((a !== a) & (b !== b)))',
  ne_float: '(1 ^ ((a === b) | ((a !== a) & (b !== b))))',
  lt_float: '((a < b) | ((b !== b) & (a === a)))',
  le_float: '((a <= b) | (b !== b))',
  gt_float: '((a > b) | ((a !== a) & (b === b)))',
  ge_float: '((a >= b) | (a !== a))',
  and: 'a & b',
  or: 'a | b',
} as const;

/** Name of an operator a kernel can run. */
export type KernelOperator = keyof typeof operatorBodies;

/** Which operands are whole arrays ('vv'), or a scalar on the right ('vs') or left ('sv'). */
export type OperandShape = 'vv' | 'vs' | 'sv';

/**
 * A compiled loop: writes out[i] = op(left[i], right[i]) for i < n and returns the last row whose
 * result lies outside [low, high] (when compiled with a range check), else -1.
 */
export type BinaryKernel = (
  left: ArrayLike<number> | number, right: ArrayLike<number> | number, out: NumericArray,
  n: number, p: number, q: number, low: number, high: number,
) => number;

const kernels = new Map<string, BinaryKernel>();

function arrayClass(operand: ArrayLike<number> | number): string {
  return typeof operand === 'number' ? 'scalar' : (operand as object).constructor.name;
}

function compile(operator: KernelOperator, shape: OperandShape, checked: boolean): BinaryKernel {
  const loadLeft = shape === 'sv' ? '' : 'const a = left[i];';
  const loadRight = shape === 'vs' ? '' : 'const b = right[i];';
  const hoisted = `${shape === 'sv' ? 'const a = left;' : ''}${shape === 'vs' ? 'const b = right;' : ''}`;
  const check = checked ? 'if (r > high || r < low) bad = i;' : '';
  const source = `'use strict'; ${hoisted} let bad = -1;
    for (let i = 0; i < n; i++) { ${loadLeft} ${loadRight} const r = ${operatorBodies[operator]}; out[i] = r; ${check} }
    return bad;`;
  return new Function('left', 'right', 'out', 'n', 'p', 'q', 'low', 'high', source) as BinaryKernel;
}

/**
 * The kernel for an operator over the given operands and output array, compiled on first use and
 * cached per combination of array classes so each stays monomorphic.
 */
export function binaryKernel(
  operator: KernelOperator, shape: OperandShape, checked: boolean,
  left: ArrayLike<number> | number, right: ArrayLike<number> | number, out: NumericArray,
): BinaryKernel {
  const key = `${operator}|${shape}|${checked ? 1 : 0}|${arrayClass(left)}|${arrayClass(right)}|${out.constructor.name}`;
  let kernel = kernels.get(key);
  if (kernel === undefined) {
    kernel = compile(operator, shape, checked);
    kernels.set(key, kernel);
  }
  return kernel;
}

/**
 * A compiled selection loop over `column <op> constant` (and optionally a second bound, for
 * ranges): keeps the rows where the condition holds and the row is not NULL. Over all rows
 * (positions null) it writes the kept positions i < n to out; over a selection it keeps the
 * qualifying entries of positions[0..n) (out may be positions itself). Returns how many it kept.
 */
export type SelectKernel = (
  values: ArrayLike<number>, low: number, high: number, nulls: Uint8Array | null,
  positions: Int32Array | null, n: number, out: Int32Array,
) => number;

const selectKernels = new Map<string, SelectKernel>();

function boundTest(operator: KernelOperator, constant: string): string {
  return `(${operatorBodies[operator].replace(/\bb\b/g, constant)})`;
}

/** The selection kernel for one or two comparison operators over an array class. */
export function selectKernel(first: KernelOperator, second: KernelOperator | null, values: ArrayLike<number>, withNulls: boolean, overPositions: boolean): SelectKernel {
  const key = `${first}|${second ?? ''}|${withNulls ? 1 : 0}|${overPositions ? 1 : 0}|${(values as object).constructor.name}`;
  let kernel = selectKernels.get(key);
  if (kernel === undefined) {
    const tests = [boundTest(first, 'low'), ...(second === null ? [] : [boundTest(second, 'high')]), ...(withNulls ? ['(nulls[i] ^ 1)'] : [])];
    const row = overPositions ? 'const i = positions[k];' : 'const i = k;';
    // Branch-free: write every candidate, advance past the kept ones.
    const source = `'use strict'; let count = 0;
      for (let k = 0; k < n; k++) { ${row} const a = values[i]; out[count] = i; count += ${tests.join(' & ')}; }
      return count;`;
    kernel = new Function('values', 'low', 'high', 'nulls', 'positions', 'n', 'out', source) as SelectKernel;
    selectKernels.set(key, kernel);
  }
  return kernel;
}

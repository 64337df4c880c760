/**
 * expr [NOT] IN (list). A constant list becomes a Set (or, when short, a typed array scanned
 * per row); a string column is tested once per dictionary entry. SQL's NULL rules hold: a miss
 * against a list holding NULL is NULL, and NOT IN flips only the known results.
 */
import { numericVector, type Batch, type DataType, type NumericVector, type Vector } from '../../storage/index.js';
import type { InList } from '../plan/index.js';
import { evaluateComparison } from './comparison.js';
import { isWideDecimal, rescale, scaleOf, tenTo } from './decimal.js';
import { not, or } from './logical.js';
import { scalarNumber, type Evaluate, type Operand, type Scalar } from './operand.js';

const booleanType: DataType = { id: 'boolean' };
/** Lists up to this many numbers are scanned linearly; longer ones use a Set. */
const linearListLengthMax = 8;

/** Evaluates an IN list over a batch. */
export function evaluateInList(expr: InList, batch: Batch, evaluate: Evaluate, operandOf: (e: InList['expr'], b: Batch) => Operand): Vector {
  const n = batch.length;
  const items = expr.list.map((item) => operandOf(item, batch));
  if (items.every((item) => item.kind === 'scalar') && !isWideDecimal(expr.expr.type)) {
    return constantList(evaluate(expr.expr, batch), items as Scalar[], expr.negated, n);
  }
  // A list with column references: OR of equalities, with three-valued logic.
  const left = evaluate(expr.expr, batch);
  let result = evaluateComparison('eq', left, items[0], n) as NumericVector;
  for (let k = 1; k < items.length; k++) result = or(result, evaluateComparison('eq', left, items[k], n) as NumericVector, n);
  return expr.negated ? not(result, n) : result;
}

/** A list item in the units of the tested vector's type (NaN when it can never be equal). */
function itemValue(item: Scalar, type: DataType): number | string {
  if (type.id === 'string') return String(item.value);
  const value = scalarNumber(item);
  if (type.id === 'decimal') {
    if (item.type.id === 'float64') return value * tenTo(scaleOf(type));
    const from = scaleOf(item.type);
    const to = scaleOf(type);
    if (to >= from) return rescale(value, from, to);
    // An item with more decimals than the column matches only if they are zeros.
    return value % tenTo(from - to) === 0 ? value / tenTo(from - to) : Number.NaN;
  }
  return value;
}

function constantList(vector: Vector, items: readonly Scalar[], negated: boolean, n: number): Vector {
  const hasNull = items.some((item) => item.value === null);
  const values = items.filter((item) => item.value !== null).map((item) => itemValue(item, vector.type));
  const hit = new Uint8Array(n);
  if (vector.kind === 'string') {
    const set = new Set(values.map(String));
    const { codes, dictionary } = vector;
    const perEntry = new Uint8Array(dictionary.length);
    for (let d = 0; d < dictionary.length; d++) perEntry[d] = set.has(dictionary[d]) ? 1 : 0;
    for (let i = 0; i < n; i++) hit[i] = perEntry[codes[i]];
  } else {
    const numbers = values.map(Number);
    const source = vector.values as ArrayLike<number>;
    if (numbers.length <= linearListLengthMax && !numbers.some(Number.isNaN)) {
      const list = Float64Array.from(numbers);
      const size = list.length;
      for (let i = 0; i < n; i++) {
        const v = source[i];
        let found = 0;
        for (let k = 0; k < size; k++) if (list[k] === v) { found = 1; break; }
        hit[i] = found;
      }
    } else {
      const set = new Set(numbers);
      for (let i = 0; i < n; i++) hit[i] = set.has(source[i]) ? 1 : 0;
    }
  }
  return inResult(hit, vector.nulls, hasNull, negated, n);
}

/** Combines hits with NULL rules: NULL input is NULL; a miss with NULL in the list is NULL. */
function inResult(hit: Uint8Array, inputNulls: Uint8Array | null, listHasNull: boolean, negated: boolean, n: number): Vector {
  let nulls: Uint8Array | null = inputNulls;
  if (listHasNull) {
    nulls = new Uint8Array(n);
    for (let i = 0; i < n; i++) nulls[i] = (hit[i] ^ 1) | (inputNulls === null ? 0 : inputNulls[i]);
  }
  if (negated) for (let i = 0; i < n; i++) hit[i] ^= 1;
  return numericVector(booleanType, hit, nulls);
}

/**
 * CASE, COALESCE, NULLIF, GREATEST and LEAST. CASE and COALESCE evaluate each branch only on
 * the rows that reach it, so `CASE WHEN x <> 0 THEN 100 / x END` or a CAST in a later branch
 * never fails on rows an earlier branch took.
 */
import {
  allocateValues, numericVector, stringVector,
  type Batch, type DataType, type NumericVector, type StringVector, type Vector,
} from '../../storage/index.js';
import type { Case, Expr } from '../plan/index.js';
import { compareText, evaluateComparison } from './comparison.js';
import { referencedColumns } from './expr-columns.js';
import { materialize, type Evaluate, type Operand } from './operand.js';
import { allNulls, anyNull, scatterVectors, takeVector } from './vector-ops.js';

/** Rows of a batch at `indices`, gathering only the columns in `columns` (others are left as they are and never read). */
function subset(batch: Batch, indices: Int32Array, count: number, columns: ReadonlySet<number>): Batch {
  const taken = batch.columns.map((column, c) => (columns.has(c) ? takeVector(column, indices, count) : column));
  return { length: count, columns: taken };
}

/** Splits `rows` (global positions) by a predicate over them into true rows and the rest. */
function split(predicate: Vector, rows: Int32Array, count: number): [Int32Array, number, Int32Array, number] {
  const values = (predicate as NumericVector).values as Uint8Array;
  const nulls = predicate.nulls;
  const taken = new Int32Array(count);
  const rest = new Int32Array(count);
  let t = 0;
  let r = 0;
  for (let i = 0; i < count; i++) {
    const yes = values[i] & (nulls === null ? 1 : nulls[i] ^ 1);
    if (yes === 1) taken[t++] = rows[i];
    else rest[r++] = rows[i];
  }
  return [taken, t, rest, r];
}

function identity(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** Evaluates a CASE expression, each THEN only on the rows its WHEN selects. */
export function evaluateCase(expr: Case, batch: Batch, evaluate: Evaluate): Vector {
  const n = batch.length;
  const columns = referencedColumns(expr);
  const parts: Vector[] = [];
  const positions: Int32Array[] = [];
  let rows = identity(n);
  let count = n;
  const onRows = (e: Expr, at: Int32Array, size: number): Vector =>
    evaluate(e, size === n ? batch : subset(batch, at, size, columns));
  for (const branch of expr.whens) {
    if (count === 0) break;
    const condition = onRows(branch.when, rows, count);
    const [taken, takenCount, rest, restCount] = split(condition, rows, count);
    if (takenCount > 0) {
      parts.push(onRows(branch.then, taken, takenCount));
      positions.push(taken);
    }
    rows = rest;
    count = restCount;
  }
  if (count > 0 && expr.otherwise !== null) {
    parts.push(onRows(expr.otherwise, rows, count));
    positions.push(rows);
  }
  // All rows took one branch in order: its vector is the answer as it is.
  if (parts.length === 1 && positions[0].length === n && parts[0].length === n) return parts[0];
  return scatterVectors(expr.type, n, parts, positions);
}

/** COALESCE(a, b, …): each argument is evaluated only on rows still NULL. */
export function evaluateCoalesce(type: DataType, args: readonly Expr[], batch: Batch, evaluate: Evaluate): Vector {
  const n = batch.length;
  const columns = new Set<number>();
  for (const arg of args) referencedColumns(arg, columns);
  const parts: Vector[] = [];
  const positions: Int32Array[] = [];
  let rows = identity(n);
  let count = n;
  for (const arg of args) {
    if (count === 0) break;
    const value = evaluate(arg, count === n ? batch : subset(batch, rows, count, columns));
    if (value.nulls === null && count === n) return value;
    const known = new Int32Array(count);
    const knownRows = new Int32Array(count);
    const rest = new Int32Array(count);
    let k = 0;
    let r = 0;
    for (let i = 0; i < count; i++) {
      if (value.nulls !== null && value.nulls[i] === 1) rest[r++] = rows[i];
      else { known[k] = i; knownRows[k++] = rows[i]; }
    }
    if (k > 0) {
      parts.push(k === count ? value : takeVector(value, known, k));
      positions.push(knownRows.subarray(0, k));
    }
    rows = rest;
    count = r;
  }
  return scatterVectors(type, n, parts, positions);
}

/** NULLIF(a, b): NULL where a = b, else a. */
export function evaluateNullIf(a: Operand, b: Operand, n: number): Vector {
  const left = materialize(a, n);
  const equal = evaluateComparison('eq', left, b, n) as NumericVector;
  const hit = equal.values as Uint8Array;
  const nulls = left.nulls === null ? new Uint8Array(n) : left.nulls.slice(0, n);
  for (let i = 0; i < n; i++) if (hit[i] === 1 && (equal.nulls === null || equal.nulls[i] === 0)) nulls[i] = 1;
  const mask = anyNull(nulls, n) ? nulls : null;
  if (left.kind === 'string') return stringVector(left.type, left.codes, left.dictionary, mask);
  return numericVector(left.type, left.values, mask);
}

/** GREATEST / LEAST: NULL arguments are ignored (DuckDB); NULL only when all are NULL. */
export function evaluateExtreme(fn: 'greatest' | 'least', type: DataType, args: readonly Operand[], n: number): Vector {
  const vectors = args.map((a) => materialize(a, n));
  const nulls = allNulls(n);
  const sign = fn === 'greatest' ? 1 : -1;
  if (type.id === 'string') {
    const best: string[] = new Array(n).fill('');
    for (const v of vectors as StringVector[]) {
      for (let i = 0; i < n; i++) {
        if (v.nulls !== null && v.nulls[i] === 1) continue;
        const s = v.dictionary[v.codes[i]];
        if (nulls[i] === 1 || compareText(s, best[i]) * sign > 0) best[i] = s;
        nulls[i] = 0;
      }
    }
    return stringVector(type, identity(n), best, anyNull(nulls, n) ? nulls : null);
  }
  const out = allocateValues(type, n) as Float64Array;
  for (const v of vectors as NumericVector[]) {
    const values = v.values as Float64Array;
    for (let i = 0; i < n; i++) {
      if (v.nulls !== null && v.nulls[i] === 1) continue;
      const x = values[i];
      if (nulls[i] === 1 || (x - out[i]) * sign > 0) out[i] = x;
      nulls[i] = 0;
    }
  }
  return numericVector(type, out, anyNull(nulls, n) ? nulls : null);
}

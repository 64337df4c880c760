/**
 * Filtering with a selection vector. A conjunction is split into steps: `column <op> constant`
 * (and pairs of bounds on one column, a range) run as compiled loops straight over the selected
 * positions, any other predicate is evaluated on the selected rows of the columns it reads. Each
 * step sees only the rows the previous ones kept, and the steps are reordered as batches go by
 * so the most selective runs first. The batch is compacted once, at the end, if at all.
 */
import type { Batch, DataType } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { flippedComparison, type ComparisonFunction } from './comparison.js';
import { isWideDecimal, scaleOf, tenTo } from './decimal.js';
import { evaluateExpr } from './evaluate-expr.js';
import { referencedColumns } from './expr-columns.js';
import { selectKernel, type KernelOperator } from './kernel-compiler.js';
import { selectTrueInto, takeBatch, takeVector } from './vector-ops.js';

/** The conjuncts of a predicate (AND flattened). */
export function conjuncts(predicate: Expr): Expr[] {
  if (predicate.kind === 'call' && predicate.fn === 'and') return predicate.args.flatMap(conjuncts);
  return [predicate];
}

/** `column <op> constant`, with the constant in the column's units. */
interface Bound {
  readonly column: number;
  readonly fn: ComparisonFunction;
  readonly constant: number;
  readonly constantType: DataType;
  readonly predicate: Expr;
}

/** One filter step: compiled bounds on a column (one, or a lower and an upper), or a general predicate. */
type Step =
  | { readonly kind: 'bounds'; readonly column: number; readonly first: Bound; readonly second: Bound | null; readonly source: Expr }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly columns: ReadonlySet<number> };

const comparisons = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

function boundOf(predicate: Expr): Bound | null {
  if (predicate.kind !== 'call' || !comparisons.has(predicate.fn)) return null;
  let [column, constant] = predicate.args;
  let fn = predicate.fn as ComparisonFunction;
  if (column.kind === 'literal') {
    [column, constant] = [constant, column];
    fn = flippedComparison[fn];
  }
  if (column.kind !== 'column' || constant.kind !== 'literal' || typeof constant.value !== 'number' || Number.isNaN(constant.value)) return null;
  if (column.type.id === 'string' || column.type.id === 'boolean' || column.type.id === 'interval' || isWideDecimal(column.type)) return null;
  if (column.type.id !== 'float64' && constant.type.id === 'float64') return null;
  return { column: column.index, fn, constant: constant.value, constantType: constant.type, predicate };
}

/** Splits conjuncts into steps, pairing a lower and an upper bound on the same column into a range. */
function stepsOf(predicates: readonly Expr[]): Step[] {
  const steps: Step[] = [];
  const open = new Map<number, number>();
  for (const predicate of predicates.flatMap(conjuncts)) {
    const bound = boundOf(predicate);
    if (bound === null) {
      steps.push({ kind: 'expr', expr: predicate, columns: referencedColumns(predicate) });
      continue;
    }
    const at = open.get(bound.column);
    if (at !== undefined) {
      const step = steps[at] as { kind: 'bounds'; column: number; first: Bound; second: Bound | null; source: Expr };
      const both: Expr = { kind: 'call', fn: 'and', args: [step.source, predicate], type: { id: 'boolean' } };
      steps[at] = { ...step, second: bound, source: both };
      open.delete(bound.column);
      continue;
    }
    open.set(bound.column, steps.length);
    steps.push({ kind: 'bounds', column: bound.column, first: bound, second: null, source: predicate });
  }
  return steps;
}

/** A constant in the units of a column's type (decimal scales aligned; decimals as doubles for a double column). */
function inUnitsOf(bound: Bound, to: DataType): number {
  const from = bound.constantType;
  if (to.id === 'float64') return from.id === 'decimal' ? bound.constant / tenTo(scaleOf(from)) : bound.constant;
  const shift = scaleOf(to) - scaleOf(from);
  return shift >= 0 ? bound.constant * tenTo(shift) : bound.constant / tenTo(-shift);
}

/** Weight of a general predicate against a compiled bound when ordering steps (it costs more per row). */
const exprStepCost = 3;

/**
 * The filter of one operator execution: its steps and what it has learnt of their selectivity.
 * select() returns positions in a scratch array valid until the next call.
 */
export class RowFilter {
  private readonly steps: Step[];
  private readonly order: number[];
  private readonly kept: number[];
  private readonly seen: number[];
  private positions = new Int32Array(0);
  private hits = new Int32Array(0);

  constructor(predicates: readonly Expr[]) {
    this.steps = stepsOf(predicates);
    this.order = this.steps.map((_, i) => i);
    this.kept = this.steps.map(() => 1);
    this.seen = this.steps.map(() => 1);
  }

  /** Positions of the rows of a batch where every predicate is true, and how many (n: all, positions unset). */
  select(batch: Batch): { positions: Int32Array; count: number } {
    const n = batch.length;
    if (this.positions.length < n) {
      this.positions = new Int32Array(n);
      this.hits = new Int32Array(n);
    }
    let count = n;
    let all = true;
    for (const s of this.order) {
      if (count === 0) break;
      const after = this.run(this.steps[s], batch, all ? null : this.positions, count);
      this.seen[s] += count;
      this.kept[s] += after;
      if (!(all && after === n)) all = false;
      count = after;
    }
    if (this.steps.length > 1) this.reorder();
    return { positions: this.positions, count };
  }

  /** The rows of a batch where every predicate is true (the batch itself when all pass). */
  apply(batch: Batch): Batch {
    const { positions, count } = this.select(batch);
    return count === batch.length ? batch : takeBatch(batch, positions, count);
  }

  /** Runs one step over the selected rows (all rows when positions is null); the kept positions end in this.positions. */
  private run(step: Step, batch: Batch, positions: Int32Array | null, count: number): number {
    const out = this.positions;
    if (step.kind === 'bounds') {
      const vector = batch.columns[step.column];
      if (vector.kind === 'numeric' && !(vector.values instanceof BigInt64Array)) {
        const first: KernelOperator = vector.type.id === 'float64' ? `${step.first.fn}_float` : step.first.fn;
        const second: KernelOperator | null = step.second === null ? null : vector.type.id === 'float64' ? `${step.second.fn}_float` : step.second.fn;
        const values = vector.values as ArrayLike<number>;
        const kernel = selectKernel(first, second, values, vector.nulls !== null, positions !== null);
        const high = step.second === null ? 0 : inUnitsOf(step.second, vector.type);
        return kernel(values, inUnitsOf(step.first, vector.type), high, vector.nulls, positions, count, out);
      }
    }
    const expr = step.kind === 'expr' ? step.expr : step.source;
    const columns = step.kind === 'expr' ? step.columns : new Set([step.column]);
    let input = batch;
    if (positions !== null) {
      // Columns the predicate does not read are left as they are; it never looks at them.
      input = { length: count, columns: batch.columns.map((column, c) => (columns.has(c) ? takeVector(column, positions, count) : column)) };
    }
    const hits = selectTrueInto(evaluateExpr(expr, input), this.hits);
    if (positions === null) {
      out.set(this.hits.subarray(0, hits));
    } else {
      for (let k = 0; k < hits; k++) out[k] = positions[this.hits[k]];
    }
    return hits;
  }

  /** Orders steps by the share of rows they keep, weighted by their cost (most selective, cheapest first). */
  private reorder(): void {
    const rank = (s: number): number => (this.kept[s] / this.seen[s]) * (this.steps[s].kind === 'expr' ? exprStepCost : 1);
    this.order.sort((a, b) => rank(a) - rank(b) || a - b);
  }
}

/** The rows of a batch where every predicate is true (the batch itself when all rows pass). */
export function filterRows(batch: Batch, predicates: readonly Expr[]): Batch {
  return new RowFilter(predicates).apply(batch);
}

/**
 * Filtering with a selection vector: conjuncts are evaluated one after another, each only on the
 * rows the previous ones kept (gathering just the columns it reads), and the batch is compacted
 * once at the end. With a selective first predicate the later ones touch a fraction of the rows.
 */
import type { Batch } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { evaluateExpr } from './evaluate-expr.js';
import { referencedColumns } from './expr-columns.js';
import { selectTrueInto, takeBatch, takeVector } from './vector-ops.js';

/** The conjuncts of a predicate (AND flattened). */
export function conjuncts(predicate: Expr): Expr[] {
  if (predicate.kind === 'call' && predicate.fn === 'and') return predicate.args.flatMap(conjuncts);
  return [predicate];
}

// Selection scratch reused by every call: positions never outlive filterRows (takeBatch copies rows out).
let selected = new Int32Array(0);
let kept = new Int32Array(0);

/** The rows of a batch where every predicate is true (the batch itself when all rows pass). */
export function filterRows(batch: Batch, predicates: readonly Expr[]): Batch {
  const n = batch.length;
  if (kept.length < n) {
    kept = new Int32Array(n);
    selected = new Int32Array(n);
  }
  let count = n;
  let first = true;
  for (const predicate of predicates) {
    if (count === 0) break;
    let input = batch;
    if (!first) {
      const used = referencedColumns(predicate);
      const rows = kept;
      const size = count;
      // Columns the predicate does not read are left as they are; it never looks at them.
      input = { length: size, columns: batch.columns.map((column, c) => (used.has(c) ? takeVector(column, rows, size) : column)) };
    }
    const hits = selectTrueInto(evaluateExpr(predicate, input), selected);
    if (first) {
      kept.set(selected.subarray(0, hits));
    } else {
      for (let k = 0; k < hits; k++) kept[k] = kept[selected[k]];
    }
    count = hits;
    first = false;
  }
  if (first || count === n) return batch;
  return takeBatch(batch, kept, count);
}

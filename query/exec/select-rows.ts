/**
 * Filtering with a selection vector: conjuncts are evaluated one after another, each only on the
 * rows the previous ones kept (gathering just the columns it reads), and the batch is compacted
 * once at the end. With a selective first predicate the later ones touch a fraction of the rows.
 */
import type { Batch } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { evaluateExpr } from './evaluate-expr.js';
import { referencedColumns } from './expr-columns.js';
import { selectTrue, takeBatch, takeVector } from './vector-ops.js';

/** The conjuncts of a predicate (AND flattened). */
export function conjuncts(predicate: Expr): Expr[] {
  if (predicate.kind === 'call' && predicate.fn === 'and') return predicate.args.flatMap(conjuncts);
  return [predicate];
}

/** The rows of a batch where every predicate is true (the batch itself when all rows pass). */
export function filterRows(batch: Batch, predicates: readonly Expr[]): Batch {
  const n = batch.length;
  let indices: Int32Array | null = null;
  let count = n;
  for (const predicate of predicates) {
    if (count === 0) break;
    let input = batch;
    if (indices !== null) {
      const rows: Int32Array = indices;
      const used = referencedColumns(predicate);
      // Columns the predicate does not read are left as they are; it never looks at them.
      input = { length: count, columns: batch.columns.map((column, c) => (used.has(c) ? takeVector(column, rows, count) : column)) };
    }
    const selected = selectTrue(evaluateExpr(predicate, input));
    if (indices === null) {
      indices = selected.indices;
    } else {
      const composed = new Int32Array(selected.count);
      for (let k = 0; k < selected.count; k++) composed[k] = indices[selected.indices[k]];
      indices = composed;
    }
    count = selected.count;
  }
  if (indices === null || count === n) return batch;
  return takeBatch(batch, indices, count);
}

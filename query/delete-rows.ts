/**
 * DELETE's execution: the bound WHERE becomes the catalog's row matcher (the vectorized evaluator
 * over each stored batch, NULL → kept) and a partition test from min/max statistics (the same
 * reasoning PrunePartitions uses), so partitions no row of which can match are never rewritten.
 */
import { StrataError, type Batch, type Schema } from '../storage/index.js';
import type { DeleteRowsRequest, QueryCatalog } from './catalog.js';
import type { Expr } from './plan/expr.js';
import type { Scan } from './plan/logical-plan.js';
import { evaluateExpr } from './exec/evaluate-expr.js';
import { canMatch } from './optimize/prune-partitions.js';
import type { BoundDelete } from './sql/bind-delete.js';

/** Runs a bound DELETE through the catalog; returns the rows deleted. */
export async function deleteRows(catalog: QueryCatalog, bound: BoundDelete): Promise<number> {
  if (catalog.deleteRows === undefined) throw new StrataError('not_supported', 'NOT_SUPPORTED', 'this database does not support DELETE');
  const result = await catalog.deleteRows(bound.table, deleteRequestOf(bound.schema, bound.predicate));
  return result.rowsDeleted;
}

/** The catalog request of DELETE … WHERE `predicate` (over the table's columns in schema order; null: every row). */
export function deleteRequestOf(schema: Schema, predicate: Expr | null): DeleteRowsRequest {
  if (predicate === null) return { match: (batch) => new Uint8Array(batch.length).fill(1) };
  // canMatch reads statistics through a scan's projection: here every column, in table order.
  const projection = schema.fields.map((_, i) => i);
  const scan: Scan = { kind: 'scan', table: '', tableSchema: schema, projection, filters: [predicate], partitions: null, partitionsTotal: 0, schema };
  return {
    match: (batch) => matchMask(predicate, batch),
    mayMatch: (partition) => canMatch(predicate, { scan, partition }),
  };
}

/** 1 where the predicate is true; false and NULL keep the row. */
function matchMask(predicate: Expr, batch: Batch): Uint8Array {
  const result = evaluateExpr(predicate, batch);
  const mask = new Uint8Array(batch.length);
  if (result.kind === 'string') throw new StrataError('internal', 'INTERNAL_ERROR', 'DELETE … WHERE evaluated to strings, not booleans');
  const values = result.values as Uint8Array;
  const nulls = result.nulls;
  if (nulls === null) {
    for (let i = 0; i < mask.length; i++) mask[i] = values[i] === 0 ? 0 : 1;
  } else {
    for (let i = 0; i < mask.length; i++) mask[i] = values[i] !== 0 && nulls[i] === 0 ? 1 : 0;
  }
  return mask;
}

/**
 * WindowExec: buffers its whole input (counted against the query's memory budget), computes
 * every window expression over it — windows with the same PARTITION BY and ORDER BY share one
 * sort — and streams the input rows out in input order with one column per window expression.
 */
import type { Batch, Schema, Vector } from '../../storage/index.js';
import type { WindowExpr } from '../plan/index.js';
import { exprEquals } from '../plan/expr-utils.js';
import { evaluateWindow, sliceBatch, windowLayout, type WindowLayout } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan } from './execution-plan.js';
import { batchRowsMax, bufferInput, checkCancelled, MemoryReservation } from './execution-limits.js';

function sameWindowing(a: WindowExpr, b: WindowExpr): boolean {
  return a.partitionBy.length === b.partitionBy.length && a.orderBy.length === b.orderBy.length
    && a.partitionBy.every((e, i) => exprEquals(e, b.partitionBy[i]))
    && a.orderBy.every((k, i) => k.ascending === b.orderBy[i].ascending && k.nullsFirst === b.orderBy[i].nullsFirst && exprEquals(k.expr, b.orderBy[i].expr));
}

/** Window functions over the whole input. */
export class WindowExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];

  constructor(readonly input: ExecutionPlan, private readonly windows: readonly WindowExpr[], readonly schema: Schema) {
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const reservation = new MemoryReservation(context, 'WindowExec');
    try {
      const buffered = await bufferInput(this.input, this.input.schema.fields.map((f) => f.type), context, reservation);
      if (buffered === null) return;
      const { batch: all, bytes } = buffered;
      // Sort order, bounds and result columns take a few arrays per row on top of the rows.
      reservation.resize(2 * bytes + all.length * 24 * (1 + this.windows.length));
      const columns = this.computeWindows(all, context);
      const result: Batch = { length: all.length, columns: [...all.columns, ...columns] };
      for (let start = 0; start < result.length; start += batchRowsMax) {
        checkCancelled(context);
        yield sliceBatch(result, start, Math.min(result.length, start + batchRowsMax));
      }
    } finally {
      reservation.release();
    }
  }

  private computeWindows(all: Batch, context: ExecutionContext): Vector[] {
    const layouts: { window: WindowExpr; layout: WindowLayout }[] = [];
    return this.windows.map((window) => {
      checkCancelled(context);
      let shared = layouts.find((entry) => sameWindowing(entry.window, window));
      if (shared === undefined) {
        shared = { window, layout: windowLayout(window.partitionBy, window.orderBy, all) };
        layouts.push(shared);
      }
      return evaluateWindow(window, all, shared.layout);
    });
  }
}

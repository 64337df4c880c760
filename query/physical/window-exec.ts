/**
 * WindowExec: buffers its whole input (counted against the query's memory budget), computes
 * every window expression over it — windows with the same PARTITION BY and ORDER BY share one
 * sort — and streams the input rows out in input order with one column per window expression.
 * Past the budget, with a spill area, the rows are hash-partitioned to disk by the PARTITION BY
 * keys every window shares, and each spill partition is computed on its own (re-partitioned with
 * another seed while still too big): a window partition's rows all land in one spill partition,
 * in input order, so every value (ties and frames included) equals the in-memory path's; only the
 * order of output rows changes. One window partition larger than the budget fails.
 */
import type { Batch, Schema, Vector } from '../../storage/index.js';
import type { Expr, WindowExpr } from '../plan/index.js';
import { exprEquals } from '../plan/expr-utils.js';
import { concatBatches, evaluateWindow, sliceBatch, windowLayout, type WindowLayout } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan, SpillArea } from './execution-plan.js';
import { batchBytes, batchRowsMax, checkCancelled, MemoryReservation } from './execution-limits.js';
import { readRuns, SpillPartitions } from './spill-partitions.js';

/** Levels of re-partitioning before a spill partition that still does not fit fails (one huge window partition). */
const windowSpillDepthMax = 4;

function sameWindowing(a: WindowExpr, b: WindowExpr): boolean {
  return a.partitionBy.length === b.partitionBy.length && a.orderBy.length === b.orderBy.length
    && a.partitionBy.every((e, i) => exprEquals(e, b.partitionBy[i]))
    && a.orderBy.every((k, i) => k.ascending === b.orderBy[i].ascending && k.nullsFirst === b.orderBy[i].nullsFirst && exprEquals(k.expr, b.orderBy[i].expr));
}

/** PARTITION BY expressions every window has: rows equal on them are in one partition of every window. */
function sharedPartitionKeys(windows: readonly WindowExpr[]): Expr[] {
  if (windows.length === 0) return [];
  return windows[0].partitionBy.filter((e) => windows.every((w) => w.partitionBy.some((other) => exprEquals(e, other))));
}

/** Window functions over the whole input. */
export class WindowExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[];
  private readonly spillKeys: Expr[];

  constructor(readonly input: ExecutionPlan, private readonly windows: readonly WindowExpr[], readonly schema: Schema) {
    this.children = [input];
    this.spillKeys = sharedPartitionKeys(windows);
  }

  execute(context: ExecutionContext): AsyncIterable<Batch> {
    return this.level(this.input.execute(context), 0, context);
  }

  /** Bytes computing the windows over buffered rows takes: sort order, bounds and result columns on top of the rows. */
  private workingBytes(bytes: number, rows: number): number {
    return 2 * bytes + rows * 24 * (1 + this.windows.length);
  }

  /** One spill level: the rows in memory when they fit, else spread over spill partitions each computed one level down. */
  private async *level(input: AsyncIterable<Batch>, depth: number, context: ExecutionContext): AsyncGenerator<Batch> {
    const reservation = new MemoryReservation(context, 'WindowExec');
    const spill = context.spill;
    const canSpill = spill !== undefined && this.spillKeys.length > 0 && depth < windowSpillDepthMax;
    let held: Batch[] = [];
    let partitions: SpillPartitions | null = null;
    try {
      const seen = new WeakSet<object>();
      let bytes = 0;
      let rows = 0;
      for await (const batch of input) {
        checkCancelled(context);
        if (batch.length === 0) continue;
        if (partitions !== null) {
          await partitions.addAll(batch);
          continue;
        }
        held.push(batch);
        bytes += batchBytes(batch, seen);
        rows += batch.length;
        if (reservation.tryResize(bytes)) continue;
        if (!canSpill) reservation.resize(bytes);
        partitions = await this.spillHeld(held, depth, context, spill!);
        held = [];
        reservation.resize(0);
      }
      if (partitions === null) {
        if (rows === 0) return;
        if (reservation.tryResize(this.workingBytes(bytes, rows)) || !canSpill) {
          reservation.resize(this.workingBytes(bytes, rows));
          yield* this.computeHeld(held, context);
          return;
        }
        partitions = await this.spillHeld(held, depth, context, spill!);
        held = [];
        reservation.resize(0);
      }
      await partitions.flush();
      for (const runs of partitions.runs) {
        if (runs.length === 0) continue;
        yield* this.level(readRuns(runs, spill!), depth + 1, context);
        for (const run of runs) await spill!.release(run);
      }
    } finally {
      reservation.release();
      if (partitions !== null) for (const runs of partitions.runs) for (const run of runs) await spill!.release(run);
    }
  }

  /** Starts spilling: the held rows go to new spill partitions (by the shared PARTITION BY keys, seeded per level). */
  private async spillHeld(held: readonly Batch[], depth: number, context: ExecutionContext, spill: SpillArea): Promise<SpillPartitions> {
    const partitions = new SpillPartitions(this.spillKeys, this.input.schema, depth * 0x2545f491 + 0x7f4a7c15,
      Math.max(64 * 1024, context.memoryBytesMax / 4), context, spill);
    for (const batch of held) await partitions.addAll(batch);
    return partitions;
  }

  /** The windows over the held rows, streamed in their order. */
  private *computeHeld(held: readonly Batch[], context: ExecutionContext): Generator<Batch> {
    const all = concatBatches(this.input.schema.fields.map((f) => f.type), held);
    const columns = this.computeWindows(all, context);
    const result: Batch = { length: all.length, columns: [...all.columns, ...columns] };
    for (let start = 0; start < result.length; start += batchRowsMax) {
      checkCancelled(context);
      yield sliceBatch(result, start, Math.min(result.length, start + batchRowsMax));
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

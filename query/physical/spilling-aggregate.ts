/**
 * GROUP BY past the memory budget (hybrid hash aggregation): rows are aggregated in memory until
 * the group table would pass the budget; from then on the table takes no new groups. Rows of
 * groups it holds are still aggregated there; rows of new groups are hash-partitioned by their
 * group keys and written to the spill area (only the columns the aggregation reads). Once the
 * input ends the in-memory groups are output, then each partition is aggregated the same way,
 * recursing with another hash seed when one is still too big. Every group's rows meet in one
 * table, so the results (DISTINCT aggregates included) equal the in-memory path's.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { AggregateExpr, Expr } from '../plan/index.js';
import { collectAggregateColumns, collectColumns, remapColumns } from '../plan/expr-utils.js';
import { GroupedAggregation, RowFilter, takeBatch } from '../exec/index.js';
import type { ExecutionContext, SpillArea, SpillRun } from './execution-plan.js';
import { boundedBatches, checkCancelled, MemoryReservation } from './execution-limits.js';
import { readRuns, SpillPartitions } from './spill-partitions.js';

/** Levels of re-partitioning before a partition that still does not fit fails (skewed keys). */
const spillDepthMax = 4;

/** Growth of a frozen table (DISTINCT sets, string_agg of known groups), as a fraction of the budget, before it fails. */
const frozenGrowthFraction = 1;

/** The aggregation's description, with the columns it reads narrowed for spilled rows. */
interface AggregateSpec {
  readonly groupBy: readonly Expr[];
  readonly aggregates: readonly AggregateExpr[];
}

/** The spilled rows' schema (columns read, in input order) and the spec over them. */
function narrowed(input: Schema, spec: AggregateSpec): { schema: Schema; columns: number[]; spec: AggregateSpec } {
  const read = new Set<number>();
  for (const e of spec.groupBy) collectColumns(e, read);
  for (const a of spec.aggregates) collectAggregateColumns(a, read);
  const columns = [...read].sort((a, b) => a - b);
  const mapping = new Map(columns.map((c, i) => [c, i]));
  const remap = (e: Expr): Expr => remapColumns(e, mapping);
  return {
    schema: { fields: columns.map((c) => input.fields[c]) },
    columns,
    spec: {
      groupBy: spec.groupBy.map(remap),
      aggregates: spec.aggregates.map((a) => ({ ...a, arg: a.arg === null ? null : remap(a.arg), filter: a.filter === null ? null : remap(a.filter) })),
    },
  };
}

/** Hash aggregation that spills the rows of groups beyond the budget to `spill`; see the file comment. */
export async function* spillingAggregate(input: AsyncIterable<Batch>, inputSchema: Schema, spec: AggregateSpec, predicates: readonly Expr[],
  context: ExecutionContext, spill: SpillArea): AsyncGenerator<Batch> {
  yield* aggregateLevel(input, inputSchema, spec, predicates.length === 0 ? null : new RowFilter(predicates), 0, context, spill);
}

async function* aggregateLevel(input: AsyncIterable<Batch>, inputSchema: Schema, spec: AggregateSpec, filter: RowFilter | null,
  depth: number, context: ExecutionContext, spill: SpillArea): AsyncGenerator<Batch> {
  const reservation = new MemoryReservation(context, 'HashAggregateExec');
  const narrow = narrowed(inputSchema, spec);
  let partitions: SpillPartitions | null = null;
  try {
    let aggregation: GroupedAggregation | null = new GroupedAggregation(spec.groupBy, spec.aggregates);
    let frozenBytes = 0;
    for await (const batch of input) {
      checkCancelled(context);
      if (partitions === null) {
        aggregation.add(batch, filter === null ? null : filter.select(batch));
        if (reservation.tryResize(aggregation.bytes())) continue;
        if (depth >= spillDepthMax || spec.groupBy.length === 0) reservation.resize(aggregation.bytes());
        // The table is full: it keeps its groups, new ones go to disk.
        frozenBytes = aggregation.bytes();
        reservation.tryResize(frozenBytes, true);
        partitions = new SpillPartitions(narrow.spec.groupBy, narrow.schema, depth * 0x2545f491 + 0x3c6ef372,
          Math.max(64 * 1024, context.memoryBytesMax / 4), context, spill);
        continue;
      }
      await addFrozen(aggregation, partitions, batch, filter, narrow.columns);
      const bytes = aggregation.bytes();
      if (bytes > frozenBytes + context.memoryBytesMax * frozenGrowthFraction) reservation.resize(bytes);
      reservation.tryResize(bytes, true);
    }
    checkCancelled(context);
    const result = aggregation.finish();
    aggregation = null;
    reservation.resize(0);
    if (partitions !== null) await partitions.flush();
    yield* boundedBatches(result);
    if (partitions === null) return;
    for (const runs of partitions.runs) {
      if (runs.length === 0) continue;
      yield* aggregateLevel(readRuns(runs, spill), narrow.schema, narrow.spec, null, depth + 1, context, spill);
      for (const run of runs) await spill.release(run);
    }
  } finally {
    reservation.release();
    if (partitions !== null) for (const runs of partitions.runs) for (const run of runs) await spill.release(run);
  }
}

/** One batch after the table froze: rows of its groups are aggregated, the others spilled (narrowed to the columns read). */
async function addFrozen(aggregation: GroupedAggregation, partitions: SpillPartitions, batch: Batch, filter: RowFilter | null,
  columns: readonly number[]): Promise<void> {
  let rows = batch;
  if (filter !== null) {
    const selection = filter.select(batch);
    if (selection.count < batch.length) rows = takeBatch(batch, selection.positions, selection.count);
  }
  if (rows.length === 0) return;
  const split = aggregation.splitKnown(rows);
  if (split.knownCount > 0) aggregation.add(split.knownCount === rows.length ? rows : takeBatch(rows, split.known, split.knownCount));
  if (split.unknownCount > 0) {
    const narrowedRows: Batch = { length: rows.length, columns: columns.map((c) => rows.columns[c]) };
    await partitions.add(narrowedRows, split.unknown, split.unknownCount);
  }
}


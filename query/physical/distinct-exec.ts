/**
 * SELECT DISTINCT: streams each row the first time its values appear (NULLs equal each other).
 * The table of seen rows counts against the query's memory limit. Past the limit, with a spill
 * area, the table freezes: rows it already holds are dropped as duplicates, rows of new values are
 * hash-partitioned to disk, and each partition is then de-duplicated by the spilling aggregation
 * (a DISTINCT is a GROUP BY of every column with no aggregates). A row's duplicates always meet in
 * the frozen table or in one partition, so the rows equal the in-memory path's.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { Expr } from '../plan/index.js';
import { GroupKeys, takeBatch } from '../exec/index.js';
import type { ExecutionContext, ExecutionPlan, SpillArea } from './execution-plan.js';
import { checkCancelled, MemoryReservation } from './execution-limits.js';
import { readRuns, SpillPartitions } from './spill-partitions.js';
import { spillingAggregate } from './spilling-aggregate.js';

/** Hash seed of the first spill level: differs from the aggregation's, so its partitions split again. */
const distinctSpillSeed = 0x1b873593;

/** Hash distinct. */
export class DistinctExec implements ExecutionPlan {
  readonly schema: Schema;
  readonly children: readonly ExecutionPlan[];

  constructor(readonly input: ExecutionPlan) {
    this.schema = input.schema;
    this.children = [input];
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const reservation = new MemoryReservation(context, 'DistinctExec');
    const spill = context.spill;
    const keys: Expr[] = this.schema.fields.map((f, i) => ({ kind: 'column', index: i, name: f.name, type: f.type }));
    let partitions: SpillPartitions | null = null;
    try {
      let groups: GroupKeys | null = new GroupKeys(this.schema.fields.map((f) => f.type));
      for await (const batch of this.input.execute(context)) {
        checkCancelled(context);
        if (partitions !== null) {
          await spillUnseen(groups, partitions, batch);
          continue;
        }
        const fresh = newRows(groups, batch);
        if (fresh !== null) yield fresh;
        if (reservation.tryResize(groups.bytes())) continue;
        if (spill === undefined || keys.length === 0) reservation.resize(groups.bytes());
        reservation.tryResize(groups.bytes(), true);
        partitions = new SpillPartitions(keys, this.schema, distinctSpillSeed, Math.max(64 * 1024, context.memoryBytesMax / 4), context, spill!);
      }
      if (partitions === null) return;
      groups = null;
      reservation.resize(0);
      await partitions.flush();
      for (const runs of partitions.runs) {
        if (runs.length === 0) continue;
        yield* spillingAggregate(readRuns(runs, spill!), this.schema, { groupBy: keys, aggregates: [] }, [], context, spill!);
        for (const run of runs) await spill!.release(run);
      }
    } finally {
      reservation.release();
      if (partitions !== null) for (const runs of partitions.runs) for (const run of runs) await spill!.release(run);
    }
  }
}

/** The rows of a batch whose values the table has not seen, adding them to it; null when none. */
function newRows(groups: GroupKeys, batch: Batch): Batch | null {
  const before = groups.groupCount;
  const ids = groups.assign(batch.columns, batch.length);
  // Group ids are numbered in order of first appearance: a row is new when its id is the next unseen one.
  const rows = new Int32Array(batch.length);
  let count = 0;
  let next = before;
  for (let i = 0; i < batch.length; i++) {
    if (ids[i] !== next) continue;
    rows[count++] = i;
    next++;
  }
  if (count === 0) return null;
  return count === batch.length ? batch : takeBatch(batch, rows, count);
}

/** After the table froze: rows it holds are duplicates; the others go to the spill partitions. */
async function spillUnseen(groups: GroupKeys, partitions: SpillPartitions, batch: Batch): Promise<void> {
  if (batch.length === 0) return;
  const ids = new Int32Array(batch.length);
  groups.lookup(batch.columns, batch.length, ids);
  const unseen = new Int32Array(batch.length);
  let count = 0;
  for (let i = 0; i < batch.length; i++) if (ids[i] < 0) unseen[count++] = i;
  if (count > 0) await partitions.add(batch, unseen, count);
}

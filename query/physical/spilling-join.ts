/**
 * Grace hash join for a build side past the memory budget: the build (right) input is read until
 * it would pass the budget; if it ends first the join runs in memory as usual. Otherwise the
 * rows held and the rest of the build input are hash-partitioned by the join keys to the spill
 * area, then the probe (left) input likewise, and each pair of partitions is joined in turn
 * (spilling again, with another hash seed, when a partition's build side is still too big).
 * Matching rows share their keys, hence their partition, so every join type but the null-aware
 * and mark joins (whose answer depends on the whole build side) gives the in-memory rows.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { ExecutionContext, ExecutionPlan, SpillArea } from './execution-plan.js';
import { batchBytes, checkCancelled, MemoryReservation } from './execution-limits.js';
import { SpillPartitions, SpilledRunsExec, spillPartitionsCount } from './spill-partitions.js';
import type { HashJoinSpec } from './hash-join-exec.js';

/** Levels of re-partitioning before a build partition that still does not fit fails (skewed keys). */
export const joinSpillDepthMax = 3;

/**
 * Bytes per build row the join hash table may take, on top of the rows (kept twice while
 * building): row lists and group starts, plus a pair table entry per distinct key at up to twice
 * its size while it doubles. Generous on purpose: the in-memory join it decides for cannot spill.
 */
const tableBytesPerRow = 64;

/** Makes the join of two inputs; `spillDepth` above joinSpillDepthMax means in memory only. */
export type JoinFactory = (left: ExecutionPlan, right: ExecutionPlan, spillDepth: number) => ExecutionPlan;

/** True when a join gives the same rows partition by partition. */
export function canGraceJoin(spec: HashJoinSpec): boolean {
  return spec.leftKeys.length > 0 && spec.joinType !== 'mark' && !spec.nullAware;
}

/** Build batches already read, replayed as an input. */
class HeldBatchesExec implements ExecutionPlan {
  readonly children: readonly ExecutionPlan[] = [];

  constructor(readonly schema: Schema, private readonly batches: readonly Batch[]) {}

  async *execute(): AsyncIterable<Batch> {
    yield* this.batches;
  }
}

/** A hash join that falls back to a grace join when its build side does not fit; see the file comment. */
export async function* spillingHashJoin(left: ExecutionPlan, right: ExecutionPlan, spec: HashJoinSpec, depth: number, context: ExecutionContext,
  spill: SpillArea, makeJoin: JoinFactory): AsyncGenerator<Batch> {
  const reservation = new MemoryReservation(context, 'HashJoinExec');
  const iterator = right.execute(context)[Symbol.asyncIterator]();
  const partitions: SpillPartitions[] = [];
  try {
    const held: Batch[] = [];
    const seen = new WeakSet<object>();
    let bytes = 0;
    let rows = 0;
    let fits = true;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      checkCancelled(context);
      held.push(next.value);
      bytes += batchBytes(next.value, seen);
      rows += next.value.length;
      if (!reservation.tryResize(2 * bytes + tableBytesPerRow * rows)) {
        fits = false;
        break;
      }
    }
    if (fits) {
      // The in-memory join counts these rows itself as it reads them.
      reservation.release();
      yield* makeJoin(left, new HeldBatchesExec(right.schema, held), joinSpillDepthMax + 1).execute(context);
      return;
    }
    const seed = depth * 0x61c88647 + 0x7f4a7c15;
    const flushBytes = Math.max(64 * 1024, context.memoryBytesMax / 4);
    const build = new SpillPartitions(spec.rightKeys, right.schema, seed, flushBytes, context, spill);
    partitions.push(build);
    while (held.length > 0) await build.addAll(held.shift() as Batch);
    reservation.resize(0);
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      checkCancelled(context);
      await build.addAll(next.value);
    }
    await build.flush();
    const probe = new SpillPartitions(spec.leftKeys, left.schema, seed, flushBytes, context, spill);
    partitions.push(probe);
    for await (const batch of left.execute(context)) {
      checkCancelled(context);
      await probe.addAll(batch);
    }
    await probe.flush();
    for (let p = 0; p < spillPartitionsCount; p++) {
      const join = makeJoin(new SpilledRunsExec(left.schema, probe.runs[p], spill), new SpilledRunsExec(right.schema, build.runs[p], spill), depth + 1);
      yield* join.execute(context);
      for (const run of [...probe.runs[p], ...build.runs[p]]) await spill.release(run);
    }
  } finally {
    reservation.release();
    await iterator.return?.();
    for (const partitioned of partitions) for (const runs of partitioned.runs) for (const run of runs) await spill.release(run);
  }
}

/**
 * The seam for hash-shuffle joins, beside the FragmentExecutor one: the engine hands the
 * executor both sides of a shuffle join (each a leaf fragment plus its join keys) and the reduce
 * fragment (the join and the row-local operators, partial aggregate or local bound above it).
 * The executor runs each side on the nodes, hash-partitions the rows by key into buckets (map),
 * then runs the reduce fragment once per bucket over that bucket of both sides (reduce) and
 * streams out the union. Implemented by service-manager/ over the network; query/ never touches
 * sockets.
 */
import type { Batch } from '../../storage/index.js';
import type { Expr } from '../plan/expr.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { FragmentExecutor, FragmentProgress, FragmentRequest, FragmentScanCounts, FragmentTask } from './fragment-executor.js';

/** One side of a shuffle join: its leaf fragment and the join keys over the fragment's output. */
export interface ShuffleSide extends FragmentTask {
  readonly keys: readonly Expr[];
}

/** Both sides (left = probe, right = build) and the fragment each bucket runs. */
export interface ShuffleTask {
  readonly sides: readonly [ShuffleSide, ShuffleSide];
  /** Reads its inputs through scans of shuffleInputTables (see shuffle-plan.ts). */
  readonly reduce: LogicalPlan;
}

/** A FragmentExecutor that can also run shuffle joins. */
export interface ShuffleExecutor extends FragmentExecutor {
  /** The union of the reduce fragment over all buckets, or null to decline (one node: the gather plan costs less). */
  shuffle(task: ShuffleTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch> | null;
}

/** True when the executor runs shuffle joins itself; others get the gather plan. */
export function canShuffle(executor: FragmentExecutor): executor is ShuffleExecutor {
  return typeof (executor as Partial<ShuffleExecutor>).shuffle === 'function';
}

/** A worker's map order: run a side's fragment over these partitions and split its rows into `buckets` by key. */
export interface ShuffleMapRequest extends FragmentRequest {
  readonly keys: readonly Expr[];
  readonly buckets: number;
}

/** A worker's map output, partition by partition: bucketed batches, then 'done' once the partition is complete. */
export type ShuffleMapOutput =
  | { readonly type: 'batch'; readonly partition: number; readonly bucket: number; readonly batch: Batch }
  | { readonly type: 'done'; readonly partition: number; readonly counts?: FragmentScanCounts };

/** The two inputs of one reduce run: bucket b of the left side and of the right side. */
export interface ShuffleInputs {
  left(signal?: AbortSignal): AsyncIterable<Batch>;
  right(signal?: AbortSignal): AsyncIterable<Batch>;
}

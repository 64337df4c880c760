/**
 * The seam between the distributed planner and the network: the engine hands a leaf fragment
 * (a plan over one Scan) and the partitions it must cover to a FragmentExecutor, which runs it
 * wherever it likes (every live node, in-process) and streams back the union of the outputs.
 * Implemented by service-manager/; query/ never touches sockets.
 */
import type { Batch } from '../../storage/index.js';
import type { ScanPartition } from '../catalog.js';
import type { LogicalPlan } from '../plan/logical-plan.js';

/** A leaf fragment and the partitions it must cover, each exactly once. */
export interface FragmentTask {
  /** The fragment: Scan → Filter → Project → [partial Aggregate | TopN | Limit | Distinct]. */
  readonly fragment: LogicalPlan;
  /** Lower-case table name of the fragment's Scan. */
  readonly table: string;
  /** The snapshot version every node must read. */
  readonly version: number;
  /** The partitions left after pruning. */
  readonly partitions: readonly ScanPartition[];
}

/** What the executor reports about where the work ran. */
export interface FragmentProgress {
  /** A node took part. */
  nodeUsed(node: string): void;
  /** A partition's output is complete; `counts`: what the node read for it, when it reports that. */
  partitionDone(counts?: FragmentScanCounts): void;
}

/** What a worker read for one partition of a fragment (all of the fragment's scans together). */
export interface FragmentScanCounts {
  readonly rowsScanned: number;
  readonly bytesScanned: number;
  readonly batchesRead: number;
  readonly batchesSkipped: number;
  /** Bytes the worker's operators wrote to its spill area for this partition (absent: none, or an older worker). */
  readonly spilledBytes?: number;
}

/** One partition's whole output, in the order the fragment produced it. */
export interface PartitionOutput {
  /** The partition's index in the task's `partitions`. */
  readonly partition: number;
  readonly batches: readonly Batch[];
}

/** Runs fragments; the output is the union of the fragment over all the task's partitions. */
export interface FragmentExecutor {
  execute(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<Batch>;
  /**
   * The same work, each partition's output yielded whole once the partition completed (in any
   * partition order): what a merging exchange needs to k-way merge per-partition sorted runs.
   * Optional: without it the merging exchange sorts the gathered rows itself.
   */
  executePartitions?(task: FragmentTask, signal: AbortSignal | undefined, progress: FragmentProgress): AsyncIterable<PartitionOutput>;
}

/** A worker's order: run `fragment` over these partitions of `table` at `version`. */
export interface FragmentRequest {
  readonly fragment: LogicalPlan;
  readonly table: string;
  readonly version: number;
  readonly partitionIds: readonly string[];
}

/** A worker's output, partition by partition: batches, then 'done' once the partition is complete. */
export type FragmentOutput =
  | { readonly type: 'batch'; readonly partition: number; readonly batch: Batch }
  | { readonly type: 'done'; readonly partition: number; readonly counts?: FragmentScanCounts };

/**
 * The contract between the query front end and execution: a tree of operators that stream
 * batches when executed with a context carrying the cancel signal, the memory limit and the
 * metrics to fill in.
 */
import type { Batch, Schema } from '../../storage/index.js';
import type { FragmentExecutor } from '../distribute/fragment-executor.js';

/** Counters a query's scans fill in. */
export interface ExecutionMetrics {
  partitionsScanned: number;
  rowsScanned: number;
  bytesScanned: number;
  /** Nodes that ran fragments of the query (distributed execution). */
  nodes?: string[];
  /** Stored record batches read, and skipped unread because their zone maps rule out every row. */
  batchesRead?: number;
  batchesSkipped?: number;
  /** Counts per scan, keyed by the logical Scan node, when present (EXPLAIN ANALYZE asks for them). */
  scans?: Map<object, ScanCounts>;
  /** Bytes sorts and aggregations wrote to the spill area. */
  spilledBytes?: number;
}

/** What one scan of a query read, for EXPLAIN ANALYZE. */
export interface ScanCounts {
  partitionsRead: number;
  batchesRead: number;
  batchesSkipped: number;
  /** Rows in the batches read, before the scan's filters. */
  rowsRead: number;
  /** Rows the scan passed on, after its filters (not known when other nodes ran the scan). */
  rowsOut: number;
  /** True when the counts came from other nodes (fragments of a distributed query). */
  remote?: boolean;
  /** True when an operator above applies the scan's filters itself (rowsOut is then before them). */
  filtersAbove?: boolean;
}

/** What one execution of a plan runs with. */
export interface ExecutionContext {
  readonly signal?: AbortSignal;
  /** Memory a query's operators (hash tables, sort buffers) may hold; beyond it RESOURCES_MEMORY_EXCEEDED naming the operator. */
  readonly memoryBytesMax: number;
  readonly metrics: ExecutionMetrics;
  /** Runs exchange fragments on the cluster's nodes; absent on a single embedded node. */
  readonly fragmentExecutor?: FragmentExecutor;
  /**
   * Built hash tables of broadcast joins, shared by the runs of one fragment over successive
   * partitions on a node, so a build side is read once per node, not once per partition.
   */
  readonly joinBuilds?: Map<object, Promise<unknown>>;
  /**
   * Where sorts and aggregations that outgrow memoryBytesMax write sorted runs or partitions and
   * read them back; absent (pure query/ use), they fail with RESOURCES_MEMORY_EXCEEDED instead.
   */
  readonly spill?: SpillArea;
}

/** Rows an operator wrote out to a spill area, to read back once. */
export interface SpillRun {
  readonly rows: number;
  /** Bytes the run takes in the area (on disk). */
  readonly bytes: number;
}

/**
 * Temporary storage of one query for batches that do not fit in its memory budget. The service
 * manager implements it over files; query/ never touches files itself.
 */
export interface SpillArea {
  /** Writes batches of one schema as a run; throws a resources StrataError when the area is full. */
  writeRun(schema: Schema, batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<SpillRun>;
  /** The run's batches, in the order written. */
  readRun(run: SpillRun): AsyncIterable<Batch>;
  /** Deletes a run (its operator is done with it); releasing a run twice is harmless. */
  release(run: SpillRun): Promise<void>;
}

/** A physical operator tree. Plans are immutable; all run-time state lives inside execute(). */
export interface ExecutionPlan {
  readonly schema: Schema;
  /** Runs the plan; batches stream out (pull-based async iteration). */
  execute(context: ExecutionContext): AsyncIterable<Batch>;
}

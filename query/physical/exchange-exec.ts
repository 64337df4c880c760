/**
 * ExchangeExec: the coordinator's side of an exchange. Hands the fragment below it to the
 * context's FragmentExecutor (every live node runs it over its share of the partitions) and
 * streams out the union. Without an executor (a single embedded node) it runs the fragment here.
 * A fragment over a shuffle join goes to the executor's shuffle (map both sides into buckets by
 * key, then one reduce run per bucket); an executor that cannot shuffle gets the gather plan:
 * the join runs here over its two exchanges. A merging exchange (mergeKeys, an ORDER BY) k-way
 * merges the per-partition sorted outputs (merge-sorted-runs.ts).
 */
import { StrataError, type Batch, type Schema } from '../../storage/index.js';
import type { TableSource } from '../catalog.js';
import type { FragmentExecutor, FragmentProgress, FragmentScanCounts, FragmentTask } from '../distribute/fragment-executor.js';
import type { Exchange, LogicalPlan } from '../plan/index.js';
import { pinBroadcastVersions, probeScan } from '../distribute/fragment-scans.js';
import { reduceFragment, shuffleJoinOf, shuffleSides } from '../distribute/shuffle-plan.js';
import { canShuffle, type ShuffleTask } from '../distribute/shuffle-task.js';
import type { ExecutionContext, ExecutionMetrics, ExecutionPlan } from './execution-plan.js';
import { mergeSortedPartitions, sortGathered } from './merge-sorted-runs.js';

/** Gathers a fragment's output from all nodes. */
export class ExchangeExec implements ExecutionPlan {
  readonly schema: Schema;

  constructor(
    private readonly plan: Exchange,
    private readonly tables: ReadonlyMap<string, TableSource>,
    private readonly runHere: (fragment: Exchange['fragment']) => ExecutionPlan,
  ) {
    this.schema = plan.schema;
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const executor: FragmentExecutor | undefined = context.fragmentExecutor;
    const join = shuffleJoinOf(this.plan.fragment);
    if (executor === undefined || (join !== null && !canShuffle(executor))) {
      yield* this.runHere(this.plan.fragment).execute(context);
      return;
    }
    // Workers' read counts go to the query's totals and, for EXPLAIN ANALYZE, to the fragment's probe scan.
    const progress = progressOf(context.metrics, probeScan(this.plan.fragment));
    if (join !== null && canShuffle(executor)) {
      const [left, right] = shuffleSides(join);
      const task: ShuffleTask = {
        sides: [{ ...this.taskOf(left), keys: join.leftKeys }, { ...this.taskOf(right), keys: join.rightKeys }],
        reduce: reduceFragment(this.plan.fragment),
      };
      // An executor that declines (one node) gets the gather plan: the join runs here over its two exchanges.
      const shuffled = executor.shuffle(task, context.signal, progress);
      yield* shuffled ?? this.runHere(this.plan.fragment).execute(context);
      return;
    }
    const keys = this.plan.mergeKeys;
    if (keys === undefined) {
      yield* executor.execute(this.taskOf(this.plan.fragment), context.signal, progress);
      return;
    }
    // An ORDER BY: each partition's output is sorted; merge them (or sort, when the executor loses partition boundaries).
    const task = this.taskOf(this.plan.fragment);
    const types = this.schema.fields.map((field) => field.type);
    yield* executor.executePartitions === undefined
      ? sortGathered(executor.execute(task, context.signal, progress), keys, types, context)
      : mergeSortedPartitions(executor.executePartitions(task, context.signal, progress), keys, this.schema, context);
  }

  /** A leaf fragment's task: split over its probe scan's partitions; broadcast build sides read at the versions pinned here. */
  private taskOf(fragment: LogicalPlan): FragmentTask {
    const scan = probeScan(fragment);
    if (scan === null) throw new StrataError('internal', 'INTERNAL_ERROR', 'a fragment must stream one table\'s partitions, this one has no probe scan');
    const source = this.tables.get(scan.table.toLowerCase());
    if (source === undefined) throw new StrataError('plan', 'TABLE_NOT_FOUND', `table '${scan.table}' is not among the tables given to the executor`, { table: scan.table });
    return { fragment: pinBroadcastVersions(fragment, this.tables), table: scan.table.toLowerCase(), version: source.version, partitions: scan.partitions ?? source.partitions };
  }
}

/** Reports where fragments ran, and what they read, into the query's metrics. */
function progressOf(metrics: ExecutionMetrics, scan: object | null): FragmentProgress {
  return {
    nodeUsed: (node) => {
      metrics.nodes ??= [];
      if (!metrics.nodes.includes(node)) metrics.nodes.push(node);
    },
    partitionDone: (counts) => {
      metrics.partitionsScanned += 1;
      if (counts !== undefined) addFragmentCounts(metrics, counts, scan);
    },
  };
}

/** A worker's counts for one partition added to the query's, and to the probe scan's for EXPLAIN ANALYZE. */
function addFragmentCounts(metrics: ExecutionMetrics, counts: FragmentScanCounts, scan: object | null): void {
  metrics.rowsScanned += counts.rowsScanned;
  metrics.bytesScanned += counts.bytesScanned;
  metrics.batchesRead = (metrics.batchesRead ?? 0) + counts.batchesRead;
  metrics.batchesSkipped = (metrics.batchesSkipped ?? 0) + counts.batchesSkipped;
  // Workers' spills count toward the query's total like the coordinator's own.
  if ((counts.spilledBytes ?? 0) > 0) metrics.spilledBytes = (metrics.spilledBytes ?? 0) + counts.spilledBytes!;
  if (scan === null || metrics.scans === undefined) return;
  const perScan = metrics.scans.get(scan) ?? { partitionsRead: 0, batchesRead: 0, batchesSkipped: 0, rowsRead: 0, rowsOut: 0 };
  perScan.partitionsRead += 1;
  perScan.batchesRead += counts.batchesRead;
  perScan.batchesSkipped += counts.batchesSkipped;
  perScan.rowsRead += counts.rowsScanned;
  perScan.remote = true;
  metrics.scans.set(scan, perScan);
}

/**
 * Reads the partitions of a table snapshot, decoding only the projected columns, applies the
 * filters pushed into the scan and counts what it read in the execution metrics: partitions,
 * rows, bytes, and record batches read or skipped from their zone maps (per scan as well when
 * the metrics ask for it, for EXPLAIN ANALYZE).
 */
import type { Batch, BatchFilter, BatchZone, ColumnStats, Schema } from '../../storage/index.js';
import type { Expr, Scan } from '../plan/index.js';
import type { ScanPartition, TableSource } from '../catalog.js';
import { conjuncts, RowFilter } from '../exec/index.js';
import { canMatch } from '../optimize/prune-partitions.js';
import type { ExecutionContext, ExecutionMetrics, ExecutionPlan, ScanCounts } from './execution-plan.js';
import { asCancelled, boundedBatches, checkCancelled } from './execution-limits.js';

/** Scan of one table: partitions in order, batches as the source yields them (at most batchRowsMax rows). */
export class ScanExec implements ExecutionPlan {
  readonly schema: Schema;
  readonly children: readonly ExecutionPlan[] = [];
  private readonly filters: readonly Expr[];
  private readonly zoneFilters: readonly Expr[];
  /** True when an operator above applies (some of) the filters EXPLAIN shows on this scan. */
  private readonly filtersAbove: boolean;

  /**
   * `absorbedFilters` are predicates over the scan's output that an operator above applies itself
   * (an aggregate taking its input's filters): the scan uses them only to skip record batches.
   * `countsKey` is the logical Scan node the per-scan counts are filed under (the plan's own node
   * when the planner passes a modified copy), so EXPLAIN ANALYZE finds them beside that node.
   */
  constructor(private readonly scan: Scan, private readonly source: TableSource, absorbedFilters: readonly Expr[] = [],
    private readonly countsKey: object = scan) {
    this.schema = scan.schema;
    this.filters = scan.filters.flatMap(conjuncts);
    this.zoneFilters = [...this.filters, ...absorbedFilters.flatMap(conjuncts)];
    this.filtersAbove = absorbedFilters.length > 0;
  }

  /** Partitions this scan reads. */
  get partitions(): readonly ScanPartition[] {
    return this.scan.partitions ?? this.source.partitions;
  }

  async *execute(context: ExecutionContext): AsyncIterable<Batch> {
    const columns = this.scan.projection;
    const filter = this.filters.length === 0 ? null : new RowFilter(this.filters);
    const metrics = context.metrics;
    const counts = scanCountsOf(metrics, this.countsKey);
    if (this.filtersAbove) counts.filtersAbove = true;
    const batchFilter = this.zoneFilters.length === 0 ? undefined : countingSkips(zoneFilter(this.scan, this.zoneFilters), metrics, counts);
    for (const partition of this.partitions) {
      checkCancelled(context);
      metrics.partitionsScanned += 1;
      metrics.bytesScanned += projectedBytes(partition, columns);
      counts.partitionsRead += 1;
      try {
        for await (const batch of this.source.scan(partition.id, columns, context.signal, batchFilter)) {
          checkCancelled(context);
          metrics.rowsScanned += batch.length;
          metrics.batchesRead = (metrics.batchesRead ?? 0) + 1;
          counts.batchesRead += 1;
          counts.rowsRead += batch.length;
          const kept = filter === null ? batch : filter.apply(batch);
          counts.rowsOut += kept.length;
          if (kept.length > 0) yield* boundedBatches(kept);
        }
      } catch (error) {
        throw asCancelled(context, error);
      }
    }
  }
}

/** The scan's entry in the per-scan counts (a detached one when the metrics keep none). */
function scanCountsOf(metrics: ExecutionMetrics, key: object): ScanCounts {
  let counts = metrics.scans?.get(key);
  if (counts === undefined) {
    counts = { partitionsRead: 0, batchesRead: 0, batchesSkipped: 0, rowsRead: 0, rowsOut: 0 };
    metrics.scans?.set(key, counts);
  }
  return counts;
}

/** The batch filter, counting the batches it skips (a source calls it once per stored batch, before reading). */
function countingSkips(filter: BatchFilter, metrics: ExecutionMetrics, counts: ScanCounts): BatchFilter {
  return (zone: BatchZone): boolean => {
    if (filter(zone)) return true;
    metrics.batchesSkipped = (metrics.batchesSkipped ?? 0) + 1;
    counts.batchesSkipped += 1;
    return false;
  };
}

/** Bytes of the projected columns of a partition (the whole partition when it has no column statistics). */
function projectedBytes(partition: ScanPartition, columns: readonly number[]): number {
  if (partition.columns.length === 0) return partition.bytes;
  let bytes = 0;
  for (const c of columns) bytes += partition.columns[c]?.bytes ?? 0;
  return bytes;
}


/**
 * The scan's filters judged on a record batch's zone map (min, max, NULL count per column), with
 * the reasoning partition pruning applies to partition statistics: false only when no row of the
 * batch can pass, so the source need not read it. The row filter still runs on what is read.
 */
function zoneFilter(scan: Scan, filters: readonly Expr[]): BatchFilter {
  return (zone: BatchZone): boolean => {
    // canMatch reads min, max and nullCount only, so the zone map serves as column statistics
    // as it is (it has no byte count); copying it for every batch of every scan costs more.
    const partition: ScanPartition = { id: '', rows: zone.rows, bytes: 0, columns: zone.columns as readonly (ColumnStats | null)[] as ColumnStats[] };
    for (const filter of filters) if (!canMatch(filter, { scan, partition })) return false;
    return true;
  };
}

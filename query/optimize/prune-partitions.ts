/**
 * PrunePartitions: decides per partition, from its min/max/null-count statistics, whether any
 * row can satisfy the scan's filters, and drops those where none can. Conservative: anything
 * it cannot reason about (expressions over columns, casts, mismatched units) keeps the
 * partition. Understands =, <>, <, <=, >, >=, IN, IS [NOT] NULL, AND, OR over a column and a
 * literal (BETWEEN arrives as AND of two comparisons).
 */
import type { ColumnStats, DataType, StatValue } from '../../storage/index.js';
import type { ScanPartition } from '../catalog.js';
import type { Expr, Literal } from '../plan/expr.js';
import { transformPlanUp } from '../plan/plan-utils.js';
import type { LogicalPlan, Scan } from '../plan/logical-plan.js';
import type { OptimizerContext, OptimizerRule } from './optimizer-rule.js';

const flipped: Readonly<Record<string, string>> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };
const integerIds = new Set(['int16', 'int32', 'int64']);

/** True when a column's statistics and a literal are in the same units (so they compare directly). */
function sameUnits(column: DataType, value: DataType): boolean {
  if (integerIds.has(column.id) && integerIds.has(value.id)) return true;
  if (column.id !== value.id) return false;
  return column.id !== 'decimal' || column.scale === value.scale;
}

function comparable(value: Literal): StatValue {
  const v = value.value;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' || typeof v === 'string') return v;
  return null;
}

/** Orders two statistics values of one column (booleans false < true). */
function compare(a: StatValue, b: StatValue): number {
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  // NaN sorts above every number in SQL; storage records a column holding NaN with max NaN
  // (or null after a JSON round trip). Either way the order is unknown here: keep the partition.
  if (x === null || y === null || Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Can some row with these stats satisfy `column op value`? */
function comparisonCanMatch(op: string, stats: ColumnStats, rows: number, value: StatValue): boolean {
  if (value === null) return false;
  if (stats.nullCount >= rows) return false;
  if (stats.min === null || stats.max === null) return true;
  const low = compare(stats.min, value);
  const high = compare(stats.max, value);
  if (Number.isNaN(low) || Number.isNaN(high)) return true;
  switch (op) {
    case 'eq': return low <= 0 && high >= 0;
    case 'ne': return !(low === 0 && high === 0);
    case 'lt': return low < 0;
    case 'le': return low <= 0;
    case 'gt': return high > 0;
    case 'ge': return high >= 0;
    default: return true;
  }
}

interface ScanStats {
  readonly scan: Scan;
  readonly partition: ScanPartition;
}

function columnStats(expr: Expr, context: ScanStats): ColumnStats | null {
  if (expr.kind !== 'column') return null;
  const tableColumn = context.scan.projection[expr.index];
  return context.partition.columns[tableColumn] ?? null;
}

/** False only when no row of the partition can make `expr` true. */
export function canMatch(expr: Expr, context: ScanStats): boolean {
  if (expr.kind === 'literal') return expr.value === true;
  if (expr.kind === 'is_null') {
    const stats = columnStats(expr.expr, context);
    if (stats === null) return true;
    return expr.negated ? stats.nullCount < context.partition.rows : stats.nullCount > 0;
  }
  if (expr.kind === 'in_list') {
    if (expr.negated || expr.list.some((item) => item.kind !== 'literal')) return true;
    return expr.list.some((item) => comparisonMatch('eq', expr.expr, item, context));
  }
  if (expr.kind !== 'call') return true;
  if (expr.fn === 'and') return expr.args.every((arg) => canMatch(arg, context));
  if (expr.fn === 'or') return expr.args.some((arg) => canMatch(arg, context));
  if (flipped[expr.fn] === undefined) return true;
  const [left, right] = expr.args;
  if (left.kind === 'column' && right.kind === 'literal') return comparisonMatch(expr.fn, left, right, context);
  if (right.kind === 'column' && left.kind === 'literal') return comparisonMatch(flipped[expr.fn], right, left, context);
  return true;
}

function comparisonMatch(op: string, column: Expr, value: Expr, context: ScanStats): boolean {
  const stats = columnStats(column, context);
  if (stats === null || value.kind !== 'literal') return true;
  if (value.value !== null && !sameUnits(column.type, value.type)) return true;
  return comparisonCanMatch(op, stats, context.partition.rows, comparable(value));
}

function pruneScan(scan: Scan, context: OptimizerContext): Scan {
  const table = context.tables.get(scan.table);
  if (table === undefined) return scan;
  if (scan.filters.length === 0) return scan;
  const all = scan.partitions ?? table.partitions;
  const kept = all.filter((partition) => scan.filters.every((f) => canMatch(f, { scan, partition })));
  if (kept.length === all.length) return scan;
  return { ...scan, partitions: kept, partitionsTotal: table.partitions.length };
}

/** The PrunePartitions rule. */
export const PrunePartitions: OptimizerRule = {
  name: 'PrunePartitions',
  apply(plan: LogicalPlan, context: OptimizerContext): LogicalPlan {
    return transformPlanUp(plan, (node) => (node.kind === 'scan' ? pruneScan(node, context) : node));
  },
};

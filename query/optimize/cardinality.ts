/**
 * Row-count estimates for join ordering and join distribution. Tables give exact row counts
 * (the partitions a scan reads) and per-partition min/max, from which a column's number of
 * distinct values is bounded (an integer-like column of range r has at most r + 1 values);
 * filters apply textbook selectivities. Estimates only steer choices: any plan they pick is
 * correct, a poor estimate only costs time.
 */
import type { ColumnStats } from '../../storage/index.js';
import type { TableSource } from '../catalog.js';
import type { Expr } from '../plan/expr.js';
import { collectColumns, splitConjunction } from '../plan/expr-utils.js';
import type { LogicalPlan, Scan } from '../plan/logical-plan.js';
import { collectScans } from '../plan/plan-utils.js';

/** Selectivities of predicates whose values are unknown (fractions of rows kept). */
const equalitySelectivity = 0.1;
const rangeSelectivity = 0.33;
const likeSelectivity = 0.2;
const defaultSelectivity = 0.5;
/** Share of left rows a semi or anti join keeps when nothing better is known. */
const semiJoinSelectivity = 0.5;

/** The tables of the statement, by lower-case name. */
export type TableStatistics = ReadonlyMap<string, TableSource>;

function scanPartitions(scan: Scan, tables: TableStatistics): readonly { rows: number; columns: readonly ColumnStats[] }[] {
  return scan.partitions ?? tables.get(scan.table)?.partitions ?? [];
}

/** Rows a scan reads before its filters. */
function scanRows(scan: Scan, tables: TableStatistics): number {
  let rows = 0;
  for (const partition of scanPartitions(scan, tables)) rows += partition.rows;
  return rows;
}

/** Distinct values of table column `column` bounded by min/max when integer-like; null when unknown. */
function columnRange(scan: Scan, column: number, tables: TableStatistics): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const partition of scanPartitions(scan, tables)) {
    const stats = partition.columns[column];
    if (stats === undefined) return null;
    if (stats.min === null || stats.max === null) continue;
    if (typeof stats.min !== 'number' || typeof stats.max !== 'number') return null;
    min = Math.min(min, stats.min);
    max = Math.max(max, stats.max);
  }
  return min <= max ? { min, max } : null;
}

/** The scan and table column an output column of `plan` comes from unchanged, if any. */
function columnOrigin(plan: LogicalPlan, index: number): { scan: Scan; column: number } | null {
  switch (plan.kind) {
    case 'scan': return { scan: plan, column: plan.projection[index] };
    case 'filter':
    case 'sort':
    case 'limit':
    case 'top_n':
    case 'distinct': return columnOrigin(plan.input, index);
    case 'window': return index < plan.input.schema.fields.length ? columnOrigin(plan.input, index) : null;
    case 'project': {
      const expr = plan.exprs[index];
      return expr.kind === 'column' ? columnOrigin(plan.input, expr.index) : null;
    }
    case 'aggregate': {
      const key = plan.groupBy[index];
      return key !== undefined && key.kind === 'column' ? columnOrigin(plan.input, key.index) : null;
    }
    case 'join': {
      const leftWidth = plan.left.schema.fields.length;
      if (index < leftWidth) return columnOrigin(plan.left, index);
      if (plan.joinType === 'semi' || plan.joinType === 'anti' || plan.joinType === 'mark') return null;
      return columnOrigin(plan.right, index - leftWidth);
    }
    default: return null;
  }
}

/** The bound min/max put on a column's distinct values (integer-like columns only), or null. */
function rangeBound(expr: Expr, plan: LogicalPlan, tables: TableStatistics): number | null {
  if (expr.kind !== 'column') return null;
  const origin = columnOrigin(plan, expr.index);
  if (origin === null) return null;
  const range = columnRange(origin.scan, origin.column, tables);
  if (range === null || !Number.isInteger(range.min) || !Number.isInteger(range.max)) return null;
  return Math.min(range.max - range.min + 1, scanRows(origin.scan, tables));
}

/** Estimated distinct values of an expression over the rows of `plan` (unknown: as many as rows, as for keys). */
export function distinctValues(expr: Expr, plan: LogicalPlan, tables: TableStatistics, rowsKnown?: number): number {
  const rows = rowsKnown ?? estimateRows(plan, tables);
  return Math.max(1, Math.min(rows, rangeBound(expr, plan, tables) ?? Infinity));
}

/** Share of rows equal to one value of an expression: 1 / distinct values when min/max bound them, else a fixed guess. */
function equalityShare(expr: Expr, plan: LogicalPlan, tables: TableStatistics, rows: number): number {
  const bound = rangeBound(expr, plan, tables);
  return bound === null ? equalitySelectivity : 1 / Math.max(1, Math.min(rows, bound));
}

function isLiteral(expr: Expr): boolean {
  return expr.kind === 'literal';
}

/** Fraction of the `rows` rows of `plan` for which a predicate over its output is true. */
export function selectivity(predicate: Expr, plan: LogicalPlan, tables: TableStatistics, rows: number): number {
  switch (predicate.kind) {
    case 'literal': return predicate.value === true ? 1 : 0;
    case 'is_null': return predicate.negated ? 0.95 : 0.05;
    case 'in_list': {
      const one = equalityShare(predicate.expr, plan, tables, rows);
      const positive = Math.min(1, predicate.list.length * Math.max(one, 0.01));
      return predicate.negated ? 1 - positive : positive;
    }
    case 'like': {
      const pattern = predicate.pattern.kind === 'literal' ? String(predicate.pattern.value) : '%';
      const positive = pattern.startsWith('%') ? likeSelectivity : likeSelectivity / 2;
      return predicate.negated ? 1 - positive : positive;
    }
    case 'call': return callSelectivity(predicate, plan, tables, rows);
    default: return defaultSelectivity;
  }
}

function callSelectivity(predicate: Extract<Expr, { kind: 'call' }>, plan: LogicalPlan, tables: TableStatistics, rows: number): number {
  const args = predicate.args;
  switch (predicate.fn) {
    case 'and': return args.reduce((product, arg) => product * selectivity(arg, plan, tables, rows), 1);
    case 'or': return 1 - args.reduce((product, arg) => product * (1 - selectivity(arg, plan, tables, rows)), 1);
    case 'not': return 1 - selectivity(args[0], plan, tables, rows);
    case 'eq': {
      const column = isLiteral(args[1]) ? args[0] : isLiteral(args[0]) ? args[1] : null;
      return column === null ? equalitySelectivity : equalityShare(column, plan, tables, rows);
    }
    case 'ne': return 1 - equalitySelectivity;
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': return rangeSelectivity;
    default: return defaultSelectivity;
  }
}

function joinRows(plan: Extract<LogicalPlan, { kind: 'join' }>, tables: TableStatistics): number {
  const left = estimateRows(plan.left, tables);
  const right = estimateRows(plan.right, tables);
  let divisor = 1;
  plan.leftKeys.forEach((key, i) => {
    divisor = Math.max(divisor, distinctValues(key, plan.left, tables), distinctValues(plan.rightKeys[i], plan.right, tables));
  });
  const residual = plan.filter === null ? 1 : splitConjunction(plan.filter).length * defaultSelectivity;
  const matched = (left * right * Math.min(1, residual)) / divisor;
  switch (plan.joinType) {
    case 'inner': return matched;
    case 'left': return Math.max(left, matched);
    case 'right': return Math.max(right, matched);
    case 'full': return Math.max(left, right, matched);
    case 'semi':
    case 'anti': return left * semiJoinSelectivity;
    case 'mark':
    case 'single': return left;
  }
}

/** Estimated rows a plan produces. */
export function estimateRows(plan: LogicalPlan, tables: TableStatistics): number {
  switch (plan.kind) {
    case 'scan': {
      const rows = scanRows(plan, tables);
      return plan.filters.reduce((r, f) => r * selectivity(f, plan, tables, rows), rows);
    }
    case 'filter': {
      const rows = estimateRows(plan.input, tables);
      return rows * selectivity(plan.predicate, plan.input, tables, rows);
    }
    case 'values': return plan.rows.length;
    case 'aggregate': {
      if (plan.groupBy.length === 0) return 1;
      const input = estimateRows(plan.input, tables);
      const groups = plan.groupBy.reduce((product, key) => product * distinctValues(key, plan.input, tables), 1);
      return Math.min(input, groups);
    }
    case 'limit': return Math.min(plan.limit ?? Infinity, estimateRows(plan.input, tables));
    case 'top_n': return Math.min(plan.limit, estimateRows(plan.input, tables));
    case 'distinct': return estimateRows(plan.input, tables) * defaultSelectivity;
    case 'join': return joinRows(plan, tables);
    case 'set_operation': {
      const left = estimateRows(plan.left, tables);
      const right = estimateRows(plan.right, tables);
      return plan.op === 'union' ? left + right : plan.op === 'intersect' ? Math.min(left, right) : left;
    }
    case 'exchange': return estimateRows(plan.fragment, tables);
    default: return estimateRows(plan.input, tables);
  }
}

/** Estimated bytes of a plan's output: rows times a rough width per column. */
export function estimateBytes(plan: LogicalPlan, tables: TableStatistics): number {
  const width = plan.schema.fields.reduce((sum, f) => sum + (f.type.id === 'string' ? 24 : 8), 0);
  return estimateRows(plan, tables) * Math.max(width, 1);
}

/** The columns an expression reads (re-exported for the join rules). */
export function columnsOf(expr: Expr): Set<number> {
  return collectColumns(expr, new Set());
}

/**
 * Rows of the largest table a plan reads (before filters). Filter estimates compound and can be
 * off by orders of magnitude; table sizes are exact, so the side holding the larger table is
 * the one that streams (probes) and is never broadcast.
 */
export function largestScanRows(plan: LogicalPlan, tables: TableStatistics): number {
  let largest = 0;
  for (const scan of collectScans(plan)) largest = Math.max(largest, scanRows(scan, tables));
  return largest;
}

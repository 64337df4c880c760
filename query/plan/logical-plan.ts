/**
 * Logical plan nodes: immutable trees the binder builds, the optimizer rewrites and the physical
 * planner turns into operators. Every node has an output schema; expressions inside a node refer
 * to columns of its input's schema by position.
 */
import type { Schema } from '../../storage/index.js';
import type { AggregateExpr, Expr, WindowExpr } from './expr.js';
import type { ScanPartition } from '../catalog.js';

/** Reads a table. */
export interface Scan {
  readonly kind: 'scan';
  readonly table: string;
  /** The whole table's schema. */
  readonly tableSchema: Schema;
  /** Table column positions read, in output order; output schema = those fields. */
  readonly projection: readonly number[];
  /**
   * Predicates pushed into the scan, over the scan's OUTPUT columns; the scan returns only rows
   * where all are true. Also used to prune partitions on min/max.
   */
  readonly filters: readonly Expr[];
  /** Partitions to read after pruning (null: all partitions of the snapshot, not yet pruned). */
  readonly partitions: readonly ScanPartition[] | null;
  /** How many partitions the table had before pruning. */
  readonly partitionsTotal: number;
  /** The snapshot version a node must read (set on the build side of a broadcast join sent to other nodes). */
  readonly version?: number;
  readonly schema: Schema;
}

/** Keeps rows where predicate is true (NULL and false drop the row). */
export interface Filter {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: Expr;
  readonly schema: Schema;
}

/** Computes one expression per output column. */
export interface Project {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly exprs: readonly Expr[];
  readonly schema: Schema;
}

/**
 * Groups by keys and computes aggregates. Output columns: the group keys in order, then the
 * aggregates in order. No group keys: exactly one output row, even on empty input.
 */
export interface Aggregate {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly groupBy: readonly Expr[];
  readonly aggregates: readonly AggregateExpr[];
  readonly schema: Schema;
}

/** One ORDER BY key. */
export interface SortKey {
  readonly expr: Expr;
  readonly ascending: boolean;
  /** The binder always sets it; without NULLS FIRST/LAST in the SQL it follows DuckDB: NULLS LAST in both directions. */
  readonly nullsFirst: boolean;
}

/** Orders rows (stable). */
export interface Sort {
  readonly kind: 'sort';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
  readonly schema: Schema;
}

/** OFFSET then LIMIT (limit null: no limit). */
export interface Limit {
  readonly kind: 'limit';
  readonly input: LogicalPlan;
  readonly limit: number | null;
  readonly offset: number;
  readonly schema: Schema;
}

/** Sort + Limit fused by the optimizer: the first `limit` rows after `offset` in key order. */
export interface TopN {
  readonly kind: 'top_n';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
  readonly limit: number;
  readonly offset: number;
  readonly schema: Schema;
}

/** Removes duplicate rows (NULLs equal each other, as in SELECT DISTINCT). */
export interface Distinct {
  readonly kind: 'distinct';
  readonly input: LogicalPlan;
  readonly schema: Schema;
}

/** Constant rows (SELECT without FROM, INSERT … VALUES). Each row holds one expression per column. */
export interface Values {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
  readonly schema: Schema;
}

/**
 * An exchange point (inserted by DistributePlan after optimization): `fragment` runs on every
 * live node over its share of the partitions of the fragment's one Scan; the output is the union.
 */
export interface Exchange {
  readonly kind: 'exchange';
  readonly fragment: LogicalPlan;
  /**
   * Set when the fragment ends in a Sort by these keys (over the fragment's output): each
   * partition's output arrives sorted and the exchange k-way merges them (an ORDER BY on a cluster).
   */
  readonly mergeKeys?: readonly SortKey[];
  readonly schema: Schema;
}

/**
 * Join kinds. inner/left/right/full output the left columns followed by the right ones (an
 * inner join without keys or filter is a cross join); semi and anti output the left columns of
 * the rows that have (semi) or have no (anti) match; mark outputs the left columns plus one
 * BOOLEAN column saying whether the row has a match ([NOT] IN / EXISTS inside expressions);
 * single is a left join whose right side may match each left row at most once (scalar
 * subqueries: a second match is SUBQUERY_MULTIPLE_ROWS).
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti' | 'mark' | 'single';

/**
 * How a join's inputs meet on a cluster (DistributePlan decides; EXPLAIN shows it): both gathered
 * to the coordinator, the right side broadcast to every node, or both sides hash-partitioned by
 * the join keys into buckets that nodes join one bucket at a time ('shuffle').
 */
export type JoinDistribution = 'gather' | 'broadcast' | 'shuffle';

/**
 * Joins two inputs. The hash table is built over the right input and probed with the left.
 * A row pair matches when every leftKeys[i] (over the left schema) equals rightKeys[i] (over
 * the right schema), NULL never equal to anything, and `filter` (over the left columns
 * followed by the right columns) is true.
 */
export interface Join {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  readonly filter: Expr | null;
  /**
   * For anti and mark joins over one key: SQL [NOT] IN rules, where a NULL key on either side
   * makes "no match" unknown (NOT IN drops the row, IN's mark is NULL) unless the right is empty.
   */
  readonly nullAware: boolean;
  /** Set by DistributePlan: both inputs gathered to the coordinator, the right side broadcast to every node, or both shuffled by key. */
  readonly distribution?: JoinDistribution;
  readonly schema: Schema;
}

/** UNION / INTERSECT / EXCEPT [ALL]: both inputs have the same column types (the binder casts). */
export interface SetOperation {
  readonly kind: 'set_operation';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly schema: Schema;
}

/** Window functions: output = the input columns followed by one column per window expression. */
export interface Window {
  readonly kind: 'window';
  readonly input: LogicalPlan;
  readonly windows: readonly WindowExpr[];
  readonly schema: Schema;
}

/** A relational plan. */
export type LogicalPlan = Scan | Filter | Project | Aggregate | Sort | Limit | TopN | Distinct | Values | Exchange | Join | SetOperation | Window;

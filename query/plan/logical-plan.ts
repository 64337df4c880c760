/**
 * Logical plan nodes: immutable trees the binder builds, the optimizer rewrites and the physical
 * planner turns into operators. Every node has an output schema; expressions inside a node refer
 * to columns of its input's schema by position.
 */
import type { Schema } from '../../storage/index.js';
import type { AggregateExpr, Expr } from './expr.js';
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
  readonly schema: Schema;
}

/** A relational plan. Later issues add join, union, window. */
export type LogicalPlan = Scan | Filter | Project | Aggregate | Sort | Limit | TopN | Distinct | Values | Exchange;

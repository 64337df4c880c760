/**
 * Helpers for operator tests: logical plan builders (what binder and optimizer would produce),
 * running a plan to completion, and rows as text for comparison with DuckDB.
 */
import type { Batch, DataType, Field, Schema } from '../../../storage/index.js';
import type { AggregateExpr, Expr, LogicalPlan, SortKey } from '../../../query/plan/index.js';
import type { ScanPartition, TableSource } from '../../../query/catalog.js';
import { castVector, valueAt } from '../../../query/exec/index.js';
import { createPhysicalPlan, type ExecutionContext } from '../../../query/physical/index.js';

const field = (name: string, type: DataType): Field => ({ name, type, nullable: true });

/** Scan of `table` reading `projection`, with filters over the output columns. */
export function scan(table: TableSource, projection: readonly number[], filters: readonly Expr[] = [], partitions: readonly ScanPartition[] | null = null): LogicalPlan {
  const schema: Schema = { fields: projection.map((c) => table.schema.fields[c]) };
  return { kind: 'scan', table: table.name, tableSchema: table.schema, projection, filters, partitions, partitionsTotal: table.partitions.length, schema };
}

/** Filter node. */
export function filter(input: LogicalPlan, predicate: Expr): LogicalPlan {
  return { kind: 'filter', input, predicate, schema: input.schema };
}

/** Project node; names are e0, e1 … */
export function project(input: LogicalPlan, exprs: readonly Expr[]): LogicalPlan {
  return { kind: 'project', input, exprs, schema: { fields: exprs.map((e, i) => field(`e${i}`, e.type)) } };
}

/** Aggregate node. */
export function aggregate(input: LogicalPlan, groupBy: readonly Expr[], aggregates: readonly AggregateExpr[]): LogicalPlan {
  const fields = [...groupBy.map((e, i) => field(`k${i}`, e.type)), ...aggregates.map((a, i) => field(`a${i}`, a.type))];
  return { kind: 'aggregate', input, groupBy, aggregates, schema: { fields } };
}

/** Sort node. */
export function sort(input: LogicalPlan, keys: readonly SortKey[]): LogicalPlan {
  return { kind: 'sort', input, keys, schema: input.schema };
}

/** Limit node. */
export function limit(input: LogicalPlan, count: number | null, offset = 0): LogicalPlan {
  return { kind: 'limit', input, limit: count, offset, schema: input.schema };
}

/** TopN node. */
export function topN(input: LogicalPlan, keys: readonly SortKey[], count: number, offset = 0): LogicalPlan {
  return { kind: 'top_n', input, keys, limit: count, offset, schema: input.schema };
}

/** Distinct node. */
export function distinct(input: LogicalPlan): LogicalPlan {
  return { kind: 'distinct', input, schema: input.schema };
}

/** A sort key. */
export function key(expr: Expr, ascending = true, nullsFirst = !ascending): SortKey {
  return { expr, ascending, nullsFirst };
}

/** A fresh execution context. */
export function context(memoryBytesMax = 256 * 1024 * 1024, signal?: AbortSignal): ExecutionContext {
  // `nodes` is filled by distributed execution (exchanges); a plain variable keeps this valid either way.
  const metrics = { partitionsScanned: 0, rowsScanned: 0, bytesScanned: 0, nodes: [] as string[] };
  return { memoryBytesMax, signal, metrics };
}

/** Runs a plan over the tables and returns its batches. */
export async function run(plan: LogicalPlan, tables: readonly TableSource[], ctx: ExecutionContext = context()): Promise<Batch[]> {
  const physical = createPhysicalPlan(plan, new Map(tables.map((t) => [t.name.toLowerCase(), t])));
  const batches: Batch[] = [];
  for await (const batch of physical.execute(ctx)) batches.push(batch);
  return batches;
}

/** Rows of batches with every value as DuckDB's text (doubles as numbers), for comparison. */
export function textRows(batches: readonly Batch[], schema: Schema): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (const batch of batches) {
    const columns = batch.columns.map((v, c) => (schema.fields[c].type.id === 'float64' ? v : castVector(v, { id: 'string' })));
    for (let i = 0; i < batch.length; i++) rows.push(columns.map((v) => valueAt(v, i) as string | number | null));
  }
  return rows;
}

/** The SELECT list that makes DuckDB return the same shape as textRows. */
export function duckSelect(columns: readonly { sql: string; type: DataType }[]): string {
  return columns.map((c) => (c.type.id === 'float64' ? c.sql : `CAST(${c.sql} AS VARCHAR)`)).join(', ');
}

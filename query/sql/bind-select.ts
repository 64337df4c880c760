/**
 * Binds a SELECT block to a logical plan:
 *   FROM (Scan, or Values for no FROM) → WHERE (Filter) → GROUP BY / aggregates (Aggregate) →
 *   HAVING (Filter) → select list (+ hidden ORDER BY columns) (Project) → DISTINCT → ORDER BY
 *   (Sort) → LIMIT/OFFSET (Limit) → drop hidden columns (Project).
 * Each FROM item binds to its own plan and scope, so joins can later combine them.
 */
import type { Field, Schema } from '../../storage/index.js';
import type { TableSource } from '../catalog.js';
import type { Expr } from '../plan/expr.js';
import { columnRef, exprEquals } from '../plan/expr-utils.js';
import type { LogicalPlan, Scan, SortKey } from '../plan/logical-plan.js';
import type { SqlColumn, SqlExpr, SqlFromItem, SqlOrderItem, SqlQuery, SqlSelect } from './ast.js';
import { Scope, type ScopeColumn } from './scope.js';
import type { SourceText } from './source-text.js';
import { bindExpr, type ExprBindContext } from './bind-expr.js';
import { requireBoolean } from './bind-operators.js';
import { AggregateBinder, containsAggregate } from './bind-aggregate.js';
import { exprName } from './expr-name.js';
import { exprNullable } from './nullability.js';

/** What binding a query needs: the text (for errors) and the tables resolved for this statement. */
export interface QueryBindContext {
  readonly source: SourceText;
  /** Lower-case table name → the snapshot this statement reads. */
  readonly tables: ReadonlyMap<string, TableSource>;
}

/** Binds a query (a SELECT block; set operations are not supported yet). */
export function bindQuery(query: SqlQuery, context: QueryBindContext): LogicalPlan {
  if (query.kind === 'set_operation') {
    throw context.source.error('not_supported', 'NOT_SUPPORTED', `${query.op.toUpperCase()} is not supported yet`, query.pos);
  }
  return bindSelect(query, context);
}

/** A Scan of every column of a table (pushdown and pruning narrow it later). */
export function scanOf(name: string, table: TableSource): Scan {
  return {
    kind: 'scan', table: name, tableSchema: table.schema, projection: table.schema.fields.map((_, i) => i),
    filters: [], partitions: null, partitionsTotal: table.partitions.length, schema: table.schema,
  };
}

/** The table of a statement's snapshot; TABLE_NOT_FOUND with the position when absent. */
export function lookupTable(name: string, pos: number, context: QueryBindContext): TableSource {
  const table = context.tables.get(name.toLowerCase());
  if (table === undefined) {
    throw context.source.error('not_found', 'TABLE_NOT_FOUND', `table ${name} does not exist; SHOW TABLES lists the tables`, pos);
  }
  return table;
}

interface BoundFrom {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

function bindFromItem(item: SqlFromItem, context: QueryBindContext): BoundFrom {
  const { source } = context;
  if (item.kind === 'join') throw source.error('not_supported', 'NOT_SUPPORTED', 'JOIN is not supported yet', item.pos);
  if (item.kind === 'derived') throw source.error('not_supported', 'NOT_SUPPORTED', 'subqueries in FROM are not supported yet', item.pos);
  if (item.schema !== null && !['main', 'public'].includes(item.schema.toLowerCase())) {
    throw source.error('not_supported', 'NOT_SUPPORTED', `schemas are not supported: write the table name alone instead of ${item.schema}.${item.name}`, item.pos);
  }
  const name = item.name.toLowerCase();
  const table = lookupTable(name, item.pos, context);
  const relation = item.alias ?? item.name;
  const columns: ScopeColumn[] = table.schema.fields.map((field, index) => ({
    relation, name: field.name, type: field.type, nullable: field.nullable, index,
  }));
  return { plan: scanOf(name, table), scope: new Scope(columns) };
}

function bindFrom(from: readonly SqlFromItem[], context: QueryBindContext): BoundFrom {
  if (from.length === 0) {
    return { plan: { kind: 'values', rows: [[]], schema: { fields: [] } }, scope: new Scope([]) };
  }
  if (from.length > 1) {
    throw context.source.error('not_supported', 'NOT_SUPPORTED', 'joins (several tables in FROM) are not supported yet', from[1].pos);
  }
  return bindFromItem(from[0], context);
}

/** A select-list entry after * expansion: its AST and its output name. */
interface SelectEntry {
  readonly ast: SqlExpr;
  readonly name: string;
}

function expandSelectList(select: SqlSelect, scope: Scope, source: SourceText): SelectEntry[] {
  const entries: SelectEntry[] = [];
  for (const item of select.items) {
    if (item.kind === 'expr') {
      const resolvedName = item.expr.kind === 'column' ? scope.resolve(item.expr.table, item.expr.name)[0]?.name : undefined;
      entries.push({ ast: item.expr, name: item.alias ?? resolvedName ?? exprName(item.expr) });
      continue;
    }
    const columns = scope.expandStar(item.table);
    if (columns.length === 0) {
      const message = item.table === null ? 'SELECT * needs a FROM clause with at least one column' : `no table or alias named ${item.table} in FROM for ${item.table}.*`;
      throw source.error('plan', item.table === null ? 'INVALID_EXPRESSION' : 'COLUMN_NOT_FOUND', message, item.pos);
    }
    for (const column of columns) {
      const ast: SqlColumn = { kind: 'column', table: column.relation, name: column.name, pos: item.pos };
      entries.push({ ast, name: column.name });
    }
  }
  return entries;
}

/** Binds an expression of the select list, HAVING or ORDER BY: over the Aggregate output or over FROM. */
type ItemBinder = (ast: SqlExpr, clause: string) => Expr;

function integerPosition(ast: SqlExpr): number | null {
  return ast.kind === 'number' && /^\d+$/.test(ast.text) ? Number(ast.text) : null;
}

function bindSelect(select: SqlSelect, context: QueryBindContext): LogicalPlan {
  const { source } = context;
  if (select.with.length > 0) throw source.error('not_supported', 'NOT_SUPPORTED', 'WITH (common table expressions) is not supported yet', select.with[0].pos);
  const from = bindFrom(select.from, context);
  let plan = from.plan;
  const plainContext = (clause: string): ExprBindContext => ({ source, scope: from.scope, clause, intercept: null });
  if (select.where !== null) {
    const predicate = requireBoolean(bindExpr(select.where, plainContext('WHERE')), source, select.where.pos, 'WHERE');
    plan = { kind: 'filter', input: plan, predicate, schema: plan.schema };
  }
  const entries = expandSelectList(select, from.scope, source);
  const aggregated = select.groupBy.length > 0 || select.having !== null
    || entries.some((e) => containsAggregate(e.ast)) || select.orderBy.some((o) => containsAggregate(o.expr));
  let bindItem: ItemBinder = (ast, clause) => bindExpr(ast, plainContext(clause));
  let finishInput = (input: LogicalPlan): LogicalPlan => input;
  if (aggregated) {
    const aggregates = new AggregateBinder(source, from.scope, plan.schema);
    bindGroupBy(select, entries, from.scope, aggregates, source);
    bindItem = (ast, clause) => aggregates.bind(ast, clause);
    const having = select.having === null ? null : aggregates.bindCondition(select.having, 'HAVING');
    finishInput = (input) => {
      const aggregate = aggregates.build(input);
      return having === null ? aggregate : { kind: 'filter', input: aggregate, predicate: having, schema: aggregate.schema };
    };
  }
  const outputs = entries.map((e) => bindItem(e.ast, 'the select list'));
  const order = bindOrderBy(select, entries, outputs, bindItem, source);
  plan = finishInput(plan);
  return finishSelect(select, plan, entries, outputs, order, context);
}

function bindGroupBy(select: SqlSelect, entries: readonly SelectEntry[], scope: Scope, aggregates: AggregateBinder, source: SourceText): void {
  for (const group of select.groupBy) {
    let ast = group;
    const position = integerPosition(group);
    if (position !== null) {
      if (position < 1 || position > entries.length) {
        throw source.error('plan', 'POSITION_OUT_OF_RANGE', `GROUP BY position ${position} is not in the select list (1 to ${entries.length})`, group.pos);
      }
      ast = entries[position - 1].ast;
      if (containsAggregate(ast)) throw source.error('plan', 'AGGREGATE_MISUSE', `GROUP BY position ${position} refers to an aggregate`, group.pos);
    } else if (group.kind === 'column' && group.table === null && scope.resolve(null, group.name).length === 0) {
      // A select alias may be grouped by when no input column has that name (PostgreSQL, DuckDB).
      const aliased = entries.find((e) => e.name.toLowerCase() === group.name.toLowerCase());
      if (aliased !== undefined && !containsAggregate(aliased.ast)) ast = aliased.ast;
    }
    const name = ast.kind === 'column' ? scope.resolve(ast.table, ast.name)[0]?.name ?? ast.name : exprName(ast);
    aggregates.addKey(ast, name);
  }
}

/** Bound ORDER BY: sort keys over the select outputs plus hidden columns appended to them. */
interface BoundOrder {
  readonly keys: readonly { readonly index: number; readonly ascending: boolean; readonly nullsFirst: boolean }[];
  readonly hidden: readonly Expr[];
}

function bindOrderBy(select: SqlSelect, entries: readonly SelectEntry[], outputs: readonly Expr[], bindItem: ItemBinder, source: SourceText): BoundOrder {
  const hidden: Expr[] = [];
  const keys = select.orderBy.map((item) => {
    const index = orderKeyIndex(item, entries, outputs, hidden, bindItem, select.distinct, source);
    // DuckDB sorts NULLs last in both directions unless told otherwise.
    return { index, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false };
  });
  return { keys, hidden };
}

function orderKeyIndex(
  item: SqlOrderItem, entries: readonly SelectEntry[], outputs: readonly Expr[], hidden: Expr[],
  bindItem: ItemBinder, distinct: boolean, source: SourceText,
): number {
  const position = integerPosition(item.expr);
  if (position !== null) {
    if (position < 1 || position > entries.length) {
      throw source.error('plan', 'POSITION_OUT_OF_RANGE', `ORDER BY position ${position} is not in the select list (1 to ${entries.length})`, item.pos);
    }
    return position - 1;
  }
  if (item.expr.kind === 'column' && item.expr.table === null) {
    const lower = item.expr.name.toLowerCase();
    const named = entries.map((e, i) => (e.name.toLowerCase() === lower ? i : -1)).filter((i) => i >= 0);
    if (named.length > 0) {
      if (named.some((i) => !exprEquals(outputs[i], outputs[named[0]]))) {
        throw source.error('plan', 'COLUMN_AMBIGUOUS', `ORDER BY ${item.expr.name} is ambiguous: several select items are named ${item.expr.name}`, item.pos);
      }
      return named[0];
    }
  }
  const bound = bindItem(item.expr, 'ORDER BY');
  const existing = outputs.findIndex((o) => exprEquals(o, bound));
  if (existing >= 0) return existing;
  if (distinct) {
    throw source.error('plan', 'INVALID_ORDER_BY', 'with SELECT DISTINCT, ORDER BY expressions must appear in the select list', item.pos);
  }
  const already = hidden.findIndex((h) => exprEquals(h, bound));
  if (already >= 0) return outputs.length + already;
  hidden.push(bound);
  return outputs.length + hidden.length - 1;
}

function limitValue(ast: SqlExpr | null, what: string, source: SourceText): number | null {
  if (ast === null) return null;
  const bound = bindExpr(ast, { source, scope: new Scope([]), clause: what, intercept: null });
  if (bound.kind === 'literal' && bound.value === null) return null;
  if (bound.kind !== 'literal' || typeof bound.value !== 'number' || !Number.isInteger(bound.value) || bound.value < 0 || bound.type.id === 'decimal') {
    throw source.error('plan', 'INVALID_EXPRESSION', `${what} must be a non-negative integer constant`, ast.pos);
  }
  return bound.value;
}

function projectSchema(exprs: readonly Expr[], names: readonly string[], input: Schema): Schema {
  const fields: Field[] = exprs.map((e, i) => ({ name: names[i], type: e.type, nullable: exprNullable(e, input) }));
  return { fields };
}

function finishSelect(
  select: SqlSelect, input: LogicalPlan, entries: readonly SelectEntry[], outputs: readonly Expr[],
  order: BoundOrder, context: QueryBindContext,
): LogicalPlan {
  const names = [...entries.map((e) => e.name), ...order.hidden.map((_, i) => `#order${i + 1}`)];
  const exprs = [...outputs, ...order.hidden];
  let plan: LogicalPlan = { kind: 'project', input, exprs, schema: projectSchema(exprs, names, input.schema) };
  if (select.distinct) plan = { kind: 'distinct', input: plan, schema: plan.schema };
  if (order.keys.length > 0) {
    const fields = plan.schema.fields;
    const keys: SortKey[] = order.keys.map((k) => ({
      expr: columnRef(k.index, fields[k.index].name, fields[k.index].type), ascending: k.ascending, nullsFirst: k.nullsFirst,
    }));
    plan = { kind: 'sort', input: plan, keys, schema: plan.schema };
  }
  const limit = limitValue(select.limit, 'LIMIT', context.source);
  const offset = limitValue(select.offset, 'OFFSET', context.source) ?? 0;
  if (limit !== null || offset > 0) plan = { kind: 'limit', input: plan, limit, offset, schema: plan.schema };
  if (order.hidden.length > 0) {
    const visible = plan.schema.fields.slice(0, outputs.length);
    const refs = visible.map((f, i) => columnRef(i, f.name, f.type));
    plan = { kind: 'project', input: plan, exprs: refs, schema: { fields: visible } };
  }
  return plan;
}

/**
 * Binds a query to a logical plan. A SELECT block:
 *   FROM (scans, joins, derived tables, CTEs, views) → WHERE (semi/anti joins for [NOT] EXISTS
 *   and [NOT] IN subqueries, joins for other subqueries, Filter) → GROUP BY / aggregates
 *   (Aggregate) → HAVING (Filter) → window functions (Window) → select list (+ hidden ORDER BY
 *   columns) (Project) → DISTINCT → ORDER BY (Sort) → LIMIT/OFFSET (Limit) → drop hidden columns.
 * A set operation binds both sides, casts them to common column types and applies its own
 * ORDER BY / LIMIT.
 */
import type { Field, Schema } from '../../storage/index.js';
import type { TableSource } from '../catalog.js';
import type { Expr } from '../plan/expr.js';
import { columnRef, conjunction, exprEquals } from '../plan/expr-utils.js';
import type { LogicalPlan, SortKey } from '../plan/logical-plan.js';
import type { SqlColumn, SqlExpr, SqlOrderItem, SqlQuery, SqlSelect } from './ast.js';
import { Scope } from './scope.js';
import type { SourceText } from './source-text.js';
import { bindExpr, type ExprBindContext } from './bind-expr.js';
import { requireBoolean } from './bind-operators.js';
import { AggregateBinder, containsAggregate } from './bind-aggregate.js';
import { exprName } from './expr-name.js';
import { exprNullable } from './nullability.js';
import { bindFromClause, type BoundFrom, type CommonTableBinding, type ViewDefinition } from './bind-from.js';
import { SubqueryBinder } from './bind-subquery.js';
import { WindowBinder } from './bind-window.js';
import { bindSetOperation } from './bind-set-operation.js';
import { splitAnd } from './subquery-shapes.js';

export { scanOf } from './bind-from.js';

/** What binding a query needs: the text (for errors), the tables resolved for this statement, and what names are in scope. */
export interface QueryBindContext {
  readonly source: SourceText;
  /** Lower-case table name → the snapshot this statement reads. */
  readonly tables: ReadonlyMap<string, TableSource>;
  /** Common table expressions visible here (lower-case name). */
  readonly ctes?: ReadonlyMap<string, CommonTableBinding>;
  /** Views the statement may read (lower-case name). */
  readonly views?: ReadonlyMap<string, ViewDefinition>;
  /** Views being expanded, outermost first (a view that reaches itself is VIEW_RECURSIVE). */
  readonly viewStack?: readonly string[];
  /** The enclosing query's FROM scope, when binding a subquery. */
  readonly outerScope?: Scope;
}

/** Binds a query: a SELECT block or a set operation. */
export function bindQuery(query: SqlQuery, context: QueryBindContext): LogicalPlan {
  if (query.kind === 'set_operation') return bindSetOperation(query, context);
  return bindSelect(query, context);
}

/** The table of a statement's snapshot; TABLE_NOT_FOUND with the position when absent. */
export function lookupTable(name: string, pos: number, context: QueryBindContext): TableSource {
  const table = context.tables.get(name.toLowerCase());
  if (table === undefined) {
    throw context.source.error('not_found', 'TABLE_NOT_FOUND', `table ${name} does not exist; SHOW TABLES lists the tables`, pos);
  }
  return table;
}

/** The context of a block with its WITH clause: each common table expression sees the ones before it. */
function withCommonTables(select: SqlSelect, context: QueryBindContext): QueryBindContext {
  if (select.with.length === 0) return context;
  let current = context;
  for (const cte of select.with) {
    const ctes = new Map(current.ctes ?? []);
    ctes.set(cte.name.toLowerCase(), { name: cte.name, columns: cte.columns, query: cte.query, context: current });
    current = { ...current, ctes };
  }
  return current;
}

/** The FROM clause of a block (with its WITH clause in scope). */
export function bindFromOf(select: SqlSelect, context: QueryBindContext): BoundFrom {
  return bindFromClause(select.from, withCommonTables(select, context));
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

/** WHERE: subquery conjuncts as semi/anti joins, the rest as one Filter (after the joins its subqueries need). */
function bindWhere(where: SqlExpr | null, input: LogicalPlan, scope: Scope, subqueries: SubqueryBinder, context: QueryBindContext): LogicalPlan {
  if (where === null) return input;
  const { source } = context;
  let plan = input;
  const rest: SqlExpr[] = [];
  for (const conjunct of splitAnd(where)) {
    const joined = subqueries.whereJoin(conjunct, plan);
    if (joined === null) rest.push(conjunct);
    else plan = joined;
  }
  if (rest.length === 0) return plan;
  const bindContext: ExprBindContext = { source, scope, clause: 'WHERE', intercept: null, subqueries: subqueries.hook };
  const predicates = rest.map((c) => requireBoolean(bindExpr(c, bindContext), source, c.pos, 'WHERE'));
  const attached = subqueries.attach(plan);
  return { kind: 'filter', input: attached.plan, predicate: conjunction(predicates.map(attached.resolve)), schema: attached.plan.schema };
}

/** Binds a SELECT block. */
export function bindSelect(select: SqlSelect, outerContext: QueryBindContext): LogicalPlan {
  const context = withCommonTables(select, outerContext);
  const { source } = context;
  const from = bindFromClause(select.from, context);
  const scope = new Scope(from.scope.columns, context.outerScope ?? null);
  const subqueries = new SubqueryBinder(context, scope, true);
  let plan = bindWhere(select.where, from.plan, scope, subqueries, context);
  const entries = expandSelectList(select, scope, source);
  const aggregated = select.groupBy.length > 0 || select.having !== null
    || entries.some((e) => containsAggregate(e.ast)) || select.orderBy.some((o) => containsAggregate(o.expr));
  const windows = new WindowBinder(source);
  let bindItem: ItemBinder = (ast, clause) => bindExpr(ast, { source, scope, clause, intercept: null, subqueries: subqueries.hook, windows: windows.hook });
  let finishInput = (input: LogicalPlan): { plan: LogicalPlan; resolve: (e: Expr) => Expr } => subqueries.attach(input);
  if (aggregated) {
    const aggregates = new AggregateBinder(source, scope, plan.schema);
    const later = new SubqueryBinder(context, scope, false);
    aggregates.hooks = { subqueries: later.hook, windows: windows.hook };
    bindGroupBy(select, entries, scope, aggregates, source);
    bindItem = (ast, clause) => aggregates.bind(ast, clause);
    const having = select.having === null ? null : aggregates.bindCondition(select.having, 'HAVING');
    finishInput = (input) => {
      const attached = later.attach(aggregates.build(input));
      if (having === null) return attached;
      return { plan: { kind: 'filter', input: attached.plan, predicate: attached.resolve(having), schema: attached.plan.schema }, resolve: attached.resolve };
    };
  }
  let outputs = entries.map((e) => bindItem(e.ast, 'the select list'));
  const order = bindOrderBy(select, entries, outputs, bindItem, source);
  const finished = finishInput(plan);
  const placed = windows.attach(finished.plan, finished.resolve);
  const resolve = (e: Expr): Expr => placed.resolve(finished.resolve(e));
  plan = placed.plan;
  outputs = outputs.map(resolve);
  return finishSelect(select, plan, entries, outputs, { keys: order.keys, hidden: order.hidden.map(resolve) }, context);
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

export function limitValue(ast: SqlExpr | null, what: string, source: SourceText): number | null {
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

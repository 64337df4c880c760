/**
 * Binds a FROM clause to a plan and the scope of columns it makes visible: tables (or the
 * common table expressions and views of that name), derived tables with optional column lists,
 * and joins. Comma-separated items are cross joins; the optimizer turns WHERE conditions
 * between them into hash-join keys and orders the joins.
 */
import type { Schema } from '../../storage/index.js';
import type { TableSource } from '../catalog.js';
import type { Expr } from '../plan/expr.js';
import { columnRef } from '../plan/expr-utils.js';
import { makeJoin } from '../plan/join-utils.js';
import type { JoinType, LogicalPlan, Scan } from '../plan/logical-plan.js';
import type { SqlAsOf, SqlFromItem, SqlQuery, SqlTableItem } from './ast.js';
import { asOfTableKey, versionedTableKey } from './table-keys.js';
import { Scope, type ScopeColumn } from './scope.js';
import type { SourceText } from './source-text.js';
import { bindExpr } from './bind-expr.js';
import { bindComparison, requireBoolean } from './bind-operators.js';
import { bindQuery, type QueryBindContext } from './bind-select.js';

/** A FROM clause bound: its plan and the columns it makes visible. */
export interface BoundFrom {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

/** A common table expression visible to a query block. */
export interface CommonTableBinding {
  readonly name: string;
  readonly columns: readonly string[];
  readonly query: SqlQuery;
  /** The context its query binds in (it sees the tables and the CTEs defined before it). */
  readonly context: QueryBindContext;
}

/** A stored view: its parsed query and the text it came from (positions of its errors). */
export interface ViewDefinition {
  readonly name: string;
  readonly columns: readonly string[];
  readonly query: SqlQuery;
  readonly source: SourceText;
}

/** A Scan of every column of a table (pushdown and pruning narrow it later). */
export function scanOf(name: string, table: TableSource): Scan {
  return {
    kind: 'scan', table: name, tableSchema: table.schema, projection: table.schema.fields.map((_, i) => i),
    filters: [], partitions: null, partitionsTotal: table.partitions.length, schema: table.schema,
  };
}

/** The columns of a relation named `relation` whose output is `schema`, renamed by an alias column list. */
function relationColumns(schema: Schema, relation: string | null, aliases: readonly string[], what: string, pos: number, source: SourceText): ScopeColumn[] {
  if (aliases.length > schema.fields.length) {
    throw source.error('plan', 'COLUMN_COUNT_MISMATCH', `${what} has ${schema.fields.length} columns but ${aliases.length} column names are given`, pos);
  }
  return schema.fields.map((field, index) => ({ relation, name: aliases[index] ?? field.name, type: field.type, nullable: field.nullable, index }));
}

/** The plan and scope of a comma-separated FROM list (no FROM: one row without columns). */
export function bindFromClause(from: readonly SqlFromItem[], context: QueryBindContext): BoundFrom {
  if (from.length === 0) return { plan: { kind: 'values', rows: [[]], schema: { fields: [] } }, scope: new Scope([]) };
  let bound = bindFromItem(from[0], context);
  for (const item of from.slice(1)) bound = combine(bound, bindFromItem(item, context), 'inner', []);
  return bound;
}

function combine(left: BoundFrom, right: BoundFrom, type: JoinType, conditions: readonly Expr[]): BoundFrom {
  const width = left.plan.schema.fields.length;
  const columns = [...left.scope.columns, ...right.scope.columns.map((c) => ({ ...c, index: c.index + width }))];
  return { plan: makeJoin(type, left.plan, right.plan, conditions), scope: new Scope(columns) };
}

function bindFromItem(item: SqlFromItem, context: QueryBindContext): BoundFrom {
  const { source } = context;
  if (item.kind === 'join') return bindJoin(item, context);
  if (item.kind === 'derived') {
    const plan = bindQuery(item.query, context);
    return { plan, scope: new Scope(relationColumns(plan.schema, item.alias, item.columnAliases, 'the subquery', item.pos, source)) };
  }
  const name = tableReferenceName(item);
  if (name === null) {
    throw source.error('not_found', 'TABLE_NOT_FOUND',
      `table ${item.schema}.${item.name} does not exist: the only schema is system (system.tables, system.columns, system.history, system.audit_log); write other tables unqualified`, item.pos);
  }
  const relation = item.alias ?? item.name;
  const cte = item.schema === null ? context.ctes?.get(name) : undefined;
  if (item.asOf !== undefined) return bindAsOf(item, name, relation, cte !== undefined, context);
  if (cte !== undefined) {
    const plan = bindQuery(cte.query, cte.context);
    const renamed = relationColumns(plan.schema, relation, cte.columns, `WITH ${cte.name}`, item.pos, source);
    const schema = { fields: plan.schema.fields.map((f, i) => ({ ...f, name: renamed[i].name })) };
    return { plan, scope: new Scope(relationColumns(schema, relation, item.columnAliases, cte.name, item.pos, source)) };
  }
  const table = context.tables.get(name);
  if (table !== undefined) {
    return { plan: scanOf(name, table), scope: new Scope(relationColumns(table.schema, relation, item.columnAliases, `table ${name}`, item.pos, source)) };
  }
  const view = context.views?.get(name);
  if (view !== undefined) return bindView(view, relation, item.columnAliases, item.pos, context);
  throw source.error('not_found', 'TABLE_NOT_FOUND', `table ${item.schema === null ? '' : `${item.schema}.`}${item.name} does not exist; SHOW TABLES lists the tables`, item.pos);
}

/**
 * `t AS OF …`: the table at the version the engine resolved (tables holds it by asOfTableKey),
 * scanned under its versioned key. Only stored tables have versions: a CTE or view is refused.
 */
function bindAsOf(item: SqlTableItem, name: string, relation: string, isCommonTable: boolean, context: QueryBindContext): BoundFrom {
  const asOf = item.asOf as SqlAsOf;
  const table = isCommonTable ? undefined : context.tables.get(asOfTableKey(name, asOf));
  if (table === undefined) {
    const what = isCommonTable ? 'a WITH query' : context.views?.has(name) === true ? 'a view' : null;
    if (what === null) throw context.source.error('not_found', 'TABLE_NOT_FOUND', `table ${item.name} does not exist; SHOW TABLES lists the tables`, item.pos);
    throw context.source.error('plan', 'TIME_TRAVEL_NOT_TABLE',
      `AS OF applies to stored tables only, but ${item.name} is ${what}; write AS OF on the tables inside its query instead`, asOf.pos);
  }
  return { plan: scanOf(versionedTableKey(name, table.version), table), scope: new Scope(relationColumns(table.schema, relation, item.columnAliases, `table ${name}`, item.pos, context.source)) };
}

/** Schema qualifiers that mean the user's own tables. */
const defaultSchemas = new Set(['main', 'public']);

/**
 * The catalog name a table reference asks for: lower-case, `system.<name>` for the virtual
 * system tables, the bare name for main/public; null for any other schema.
 */
export function tableReferenceName(item: { readonly name: string; readonly schema: string | null }): string | null {
  const schema = item.schema?.toLowerCase() ?? null;
  if (schema === null || defaultSchemas.has(schema)) return item.name.toLowerCase();
  if (schema === 'system') return `system.${item.name.toLowerCase()}`;
  return null;
}

function bindView(view: ViewDefinition, relation: string, aliases: readonly string[], pos: number, context: QueryBindContext): BoundFrom {
  const stack = context.viewStack ?? [];
  if (stack.includes(view.name)) {
    throw context.source.error('plan', 'VIEW_RECURSIVE', `view ${view.name} refers to itself (through ${[...stack, view.name].join(' → ')}); redefine it without the cycle`, pos);
  }
  const plan = bindQuery(view.query, { source: view.source, tables: context.tables, views: context.views, viewStack: [...stack, view.name] });
  const named = relationColumns(plan.schema, relation, view.columns, `view ${view.name}`, pos, context.source);
  const schema = { fields: plan.schema.fields.map((f, i) => ({ ...f, name: named[i].name })) };
  return { plan, scope: new Scope(relationColumns(schema, relation, aliases, `view ${view.name}`, pos, context.source)) };
}

function bindJoin(item: Extract<SqlFromItem, { kind: 'join' }>, context: QueryBindContext): BoundFrom {
  const { source } = context;
  const left = bindFromItem(item.left, context);
  const right = bindFromItem(item.right, context);
  const type: JoinType = item.joinType === 'cross' ? 'inner' : item.joinType;
  const width = left.plan.schema.fields.length;
  const joined = combine(left, right, 'inner', []);
  const conditions: Expr[] = [];
  const hidden = new Set<number>();
  for (const name of item.using) {
    const [l, r] = [left.scope.resolve(null, name), right.scope.resolve(null, name)];
    if (l.length !== 1 || r.length !== 1) {
      throw source.error('plan', 'COLUMN_NOT_FOUND', `JOIN … USING (${name}): each side must have exactly one column named ${name}`, item.pos);
    }
    conditions.push(bindComparison('=', columnRef(l[0].index, l[0].name, l[0].type), columnRef(width + r[0].index, r[0].name, r[0].type), source, item.pos));
    // The merged column is the left one (the right one for RIGHT JOIN); the other is reachable only qualified.
    hidden.add(type === 'right' ? l[0].index : width + r[0].index);
  }
  if (item.on !== null) {
    const on = bindExpr(item.on, { source, scope: joined.scope, clause: 'JOIN … ON', intercept: null });
    conditions.push(requireBoolean(on, source, item.on.pos, 'JOIN … ON'));
  }
  const columns = joined.scope.columns.map((c) => (hidden.has(c.index) ? { ...c, hidden: true } : c));
  return { plan: makeJoin(type, left.plan, right.plan, conditions), scope: new Scope(columns) };
}

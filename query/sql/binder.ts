/**
 * Binds a parsed statement against the tables resolved for it: queries become logical plans,
 * DDL becomes catalog requests, INSERT becomes a plan producing rows in the table's schema.
 * Binding is synchronous: the engine resolves every table the statement names (tableNamesOf)
 * once beforehand, so one statement sees one snapshot.
 */
import { Types, typeToSql, type DataType, type Field, type Schema } from '../../storage/index.js';
import type { ColumnDefinition } from '../catalog.js';
import type { Expr } from '../plan/expr.js';
import { columnRef, literal } from '../plan/expr-utils.js';
import type { LogicalPlan } from '../plan/logical-plan.js';
import type { SqlAsOf, SqlExpr, SqlFromItem, SqlQuery, SqlStatement, SqlTableItem } from './ast.js';
import type { SourceText } from './source-text.js';
import { Scope } from './scope.js';
import { bindExpr } from './bind-expr.js';
import { coerce, isNullLiteral } from './bind-operators.js';
import { bindQuery, lookupTable, type QueryBindContext } from './bind-select.js';
import { typeFromName } from './type-names.js';
import { tableReferenceName } from './bind-from.js';
import { bindDelete, type BoundDelete } from './bind-delete.js';

/** A statement ready to run. */
export type BoundStatement =
  | { readonly kind: 'query'; readonly plan: LogicalPlan }
  | { readonly kind: 'explain'; readonly plan: LogicalPlan }
  | { readonly kind: 'create_table'; readonly name: string; readonly columns: readonly ColumnDefinition[]; readonly ifNotExists: boolean }
  | { readonly kind: 'drop_table'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'create_view'; readonly name: string; readonly sql: string; readonly columns: readonly string[]; readonly orReplace: boolean; readonly schema: Schema }
  | { readonly kind: 'drop_view'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'show_tables' }
  | { readonly kind: 'describe'; readonly schema: Schema }
  | { readonly kind: 'insert'; readonly table: string; readonly schema: Schema; readonly plan: LogicalPlan }
  | BoundDelete;

/** Binds one statement. */
export function bindStatement(statement: SqlStatement, context: QueryBindContext): BoundStatement {
  const { source } = context;
  switch (statement.kind) {
    case 'query': return { kind: 'query', plan: bindQuery(statement.query, context) };
    case 'explain': {
      if (statement.statement.kind !== 'query') {
        throw source.error('not_supported', 'NOT_SUPPORTED', 'EXPLAIN is supported for queries only (EXPLAIN SELECT …)', statement.statement.pos);
      }
      return { kind: 'explain', plan: bindQuery(statement.statement.query, context) };
    }
    case 'create_table': return bindCreateTable(statement, source);
    case 'drop_table': return { kind: 'drop_table', name: statement.name.toLowerCase(), ifExists: statement.ifExists };
    case 'create_view': {
      // Bound now so a view that cannot run is refused at CREATE, as DuckDB does.
      const plan = bindQuery(statement.query, context);
      if (statement.columns.length > plan.schema.fields.length) {
        throw source.error('plan', 'COLUMN_COUNT_MISMATCH', `view ${statement.name} names ${statement.columns.length} columns but its query returns ${plan.schema.fields.length}`, statement.pos);
      }
      const fields = plan.schema.fields.map((f, i) => ({ ...f, name: statement.columns[i] ?? f.name }));
      return { kind: 'create_view', name: statement.name.toLowerCase(), sql: statement.sql, columns: statement.columns, orReplace: statement.orReplace, schema: { fields } };
    }
    case 'drop_view': return { kind: 'drop_view', name: statement.name.toLowerCase(), ifExists: statement.ifExists };
    case 'show_tables': return { kind: 'show_tables' };
    case 'describe_table': {
      const view = context.tables.has(statement.name.toLowerCase()) ? undefined : context.views?.get(statement.name.toLowerCase());
      if (view !== undefined) {
        const schema = bindQuery(view.query, { source: view.source, tables: context.tables, views: context.views }).schema;
        return { kind: 'describe', schema: { fields: schema.fields.map((f, i) => ({ ...f, name: view.columns[i] ?? f.name })) } };
      }
      return { kind: 'describe', schema: lookupTable(statement.name, statement.pos, context).schema };
    }
    case 'describe_query': return { kind: 'describe', schema: bindQuery(statement.query, context).schema };
    case 'insert': return bindInsert(statement, context);
    case 'delete': return bindDelete(statement, context);
  }
}

function bindCreateTable(statement: Extract<SqlStatement, { kind: 'create_table' }>, source: SourceText): BoundStatement {
  const seen = new Set<string>();
  const columns = statement.columns.map((column) => {
    const lower = column.name.toLowerCase();
    if (seen.has(lower)) throw source.error('plan', 'DUPLICATE_COLUMN', `column ${column.name} is defined twice in CREATE TABLE ${statement.name}`, column.pos);
    seen.add(lower);
    return { name: column.name, type: typeFromName(column.type, source), nullable: !column.notNull };
  });
  if (columns.length === 0) throw source.error('plan', 'INVALID_EXPRESSION', `CREATE TABLE ${statement.name} needs at least one column`, statement.pos);
  return { kind: 'create_table', name: statement.name.toLowerCase(), columns, ifNotExists: statement.ifNotExists };
}

type InsertStatement = Extract<SqlStatement, { kind: 'insert' }>;

/** For each table column, the position of the value that fills it (-1: NULL). */
function targetPositions(statement: InsertStatement, schema: Schema, source: SourceText): number[] {
  if (statement.columns === null) return schema.fields.map((_, i) => i);
  const positions = schema.fields.map(() => -1);
  statement.columns.forEach((column, i) => {
    const index = schema.fields.findIndex((f) => f.name.toLowerCase() === column.name.toLowerCase());
    if (index < 0) {
      throw source.error('plan', 'COLUMN_NOT_FOUND', `table ${statement.table} has no column ${column.name}; its columns are ${schema.fields.map((f) => f.name).join(', ')}`, column.pos);
    }
    if (positions[index] >= 0) throw source.error('plan', 'DUPLICATE_COLUMN', `column ${column.name} is listed twice in INSERT`, column.pos);
    positions[index] = i;
  });
  return positions;
}

function notNullViolation(field: Field, table: string, source: SourceText, pos: number): Error {
  return source.error('input', 'NOT_NULL_VIOLATION', `column ${field.name} of table ${table} is NOT NULL, but the INSERT gives it NULL`, pos);
}

/** Converts an inserted value to its column's type (assignment: any existing cast; literals exactly). */
function assign(value: Expr, field: Field, table: string, source: SourceText, pos: number): Expr {
  if (!field.nullable && isNullLiteral(value)) throw notNullViolation(field, table, source, pos);
  return coerce(value, field.type, source, pos, `column ${field.name} of ${table}`);
}

function bindInsert(statement: InsertStatement, context: QueryBindContext): BoundStatement {
  const { source } = context;
  const name = statement.table.toLowerCase();
  const schema = lookupTable(name, statement.pos, context).schema;
  const positions = targetPositions(statement, schema, source);
  const width = statement.columns?.length ?? schema.fields.length;
  const missingNotNull = schema.fields.find((f, i) => positions[i] < 0 && !f.nullable);
  if (missingNotNull !== undefined) throw notNullViolation(missingNotNull, name, source, statement.pos);
  if (statement.rows !== null) {
    const rows = statement.rows.map((row) => {
      const pos = row[0]?.pos ?? statement.pos;
      if (row.length !== width) {
        throw source.error('plan', 'COLUMN_COUNT_MISMATCH', `INSERT row has ${row.length} values but ${width} columns are filled`, pos);
      }
      const values = row.map((ast) => bindExpr(ast, { source, scope: new Scope([]), clause: 'VALUES', intercept: null }));
      return schema.fields.map((field, i) => (positions[i] < 0
        ? literal(null, field.type)
        : assign(values[positions[i]], field, name, source, row[positions[i]].pos)));
    });
    return { kind: 'insert', table: name, schema, plan: { kind: 'values', rows, schema } };
  }
  const query = bindQuery(statement.query as SqlQuery, context);
  if (query.schema.fields.length !== width) {
    throw source.error('plan', 'COLUMN_COUNT_MISMATCH', `INSERT … SELECT gives ${query.schema.fields.length} columns but ${width} are filled`, statement.query?.pos ?? statement.pos);
  }
  const exprs = schema.fields.map((field, i) => {
    if (positions[i] < 0) return literal(null, field.type);
    const column = query.schema.fields[positions[i]];
    return assign(columnRef(positions[i], column.name, column.type), field, name, source, statement.query?.pos ?? statement.pos);
  });
  return { kind: 'insert', table: name, schema, plan: { kind: 'project', input: query, exprs, schema } };
}

/** A table reference as the resolver sees it: its name, schema qualifier and AS OF. */
type TableReference = Pick<SqlTableItem, 'name' | 'schema' | 'asOf'>;

/** Lower-case names of every table a statement reads or writes at its latest version (for resolving them once, up front). */
export function tableNamesOf(statement: SqlStatement): Set<string> {
  const names = new Set<string>();
  visitTableReferences(statement, (reference) => {
    const name = reference.asOf === undefined ? tableReferenceName(reference) : null;
    if (name !== null) names.add(name);
  });
  return names;
}

/** A time-travel reference: the catalog name and the AS OF clause. */
export interface AsOfReference {
  readonly name: string;
  readonly asOf: SqlAsOf;
}

/** Every `t AS OF …` reference of a statement (the engine resolves each to a versioned table key). */
export function asOfReferencesOf(statement: SqlStatement): AsOfReference[] {
  const references: AsOfReference[] = [];
  visitTableReferences(statement, (reference) => {
    const name = tableReferenceName(reference);
    if (reference.asOf !== undefined && name !== null) references.push({ name, asOf: reference.asOf });
  });
  return references;
}

/** Calls `visit` on every table reference of a statement, in FROM clauses at any depth and as INSERT, DELETE or DESCRIBE target. */
function visitTableReferences(statement: SqlStatement, visit: (reference: TableReference) => void): void {
  const visitQuery = (query: SqlQuery): void => {
    if (query.kind === 'set_operation') {
      visitQuery(query.left);
      visitQuery(query.right);
      query.orderBy.forEach((o) => visitExpr(o.expr));
      return;
    }
    for (const cte of query.with) visitQuery(cte.query);
    query.from.forEach(visitFrom);
    const exprs: SqlExpr[] = [...query.items.flatMap((i) => (i.kind === 'expr' ? [i.expr] : [])), ...query.groupBy, ...query.orderBy.map((o) => o.expr)];
    if (query.where !== null) exprs.push(query.where);
    if (query.having !== null) exprs.push(query.having);
    exprs.forEach(visitExpr);
  };
  const visitFrom = (item: SqlFromItem): void => {
    if (item.kind === 'table') visit(item);
    else if (item.kind === 'derived') visitQuery(item.query);
    else { visitFrom(item.left); visitFrom(item.right); }
  };
  const visitExpr = (expr: SqlExpr): void => {
    if (expr.kind === 'subquery' || expr.kind === 'exists' || expr.kind === 'in_subquery') visitQuery(expr.query);
    const visitValue = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      if ('kind' in v && 'pos' in v) visitExpr(v as SqlExpr);
      else if ('when' in v && 'then' in v) { visitValue((v as { when: unknown }).when); visitValue((v as { then: unknown }).then); }
      else if ('expr' in v && 'ascending' in v) visitValue((v as { expr: unknown }).expr);
    };
    for (const [key, value] of Object.entries(expr)) {
      if (key === 'query') continue;
      if (Array.isArray(value)) value.forEach(visitValue);
      else visitValue(value);
    }
  };
  const visitStatement = (s: SqlStatement): void => {
    if (s.kind === 'query' || s.kind === 'describe_query' || s.kind === 'create_view') visitQuery(s.query);
    else if (s.kind === 'explain') visitStatement(s.statement);
    else if (s.kind === 'describe_table') visit({ name: s.name, schema: null });
    else if (s.kind === 'delete') {
      visit(s.table);
      if (s.where !== null) visitExpr(s.where);
    } else if (s.kind === 'insert') {
      visit({ name: s.table, schema: null });
      if (s.query !== null) visitQuery(s.query);
      s.rows?.forEach((row) => row.forEach(visitExpr));
    }
  };
  visitStatement(statement);
}

/** A column type as DESCRIBE shows it. */
export function describeType(type: DataType): string {
  return typeToSql(type);
}

/** The schema of DESCRIBE output (DuckDB's first three columns). */
export const describeSchema: Schema = {
  fields: [
    { name: 'column_name', type: Types.string, nullable: false },
    { name: 'column_type', type: Types.string, nullable: false },
    { name: 'null', type: Types.string, nullable: false },
  ],
};

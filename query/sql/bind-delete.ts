/**
 * Binds DELETE FROM t [WHERE …]: the WHERE becomes a predicate over the table's columns in schema
 * order (the batches DELETE's row matcher sees hold every column). Subqueries are refused: the
 * predicate is evaluated per stored batch, with nothing else in scope.
 */
import type { Schema } from '../../storage/index.js';
import type { Expr } from '../plan/expr.js';
import type { SqlStatement } from './ast.js';
import { Scope } from './scope.js';
import { bindExpr } from './bind-expr.js';
import { requireBoolean } from './bind-operators.js';
import { lookupTable, type QueryBindContext } from './bind-select.js';
import { tableReferenceName } from './bind-from.js';

/** A bound DELETE: the table, its schema and the rows to remove (null predicate: every row). */
export interface BoundDelete {
  readonly kind: 'delete';
  readonly table: string;
  readonly schema: Schema;
  readonly predicate: Expr | null;
}

/** Binds a DELETE statement against the table's latest snapshot. */
export function bindDelete(statement: Extract<SqlStatement, { kind: 'delete' }>, context: QueryBindContext): BoundDelete {
  const { source } = context;
  const target = statement.table;
  const name = tableReferenceName(target);
  if (name === null || name.startsWith('system.')) {
    throw source.error('plan', 'TABLE_READ_ONLY', `DELETE removes rows of your own tables; ${target.schema}.${target.name} cannot be changed`, target.pos);
  }
  if (context.views?.has(name) === true && !context.tables.has(name)) {
    throw source.error('plan', 'TABLE_READ_ONLY', `${target.name} is a view; DELETE from the tables it reads instead`, target.pos);
  }
  const table = lookupTable(name, target.pos, context);
  if (statement.where === null) return { kind: 'delete', table: name, schema: table.schema, predicate: null };
  const relation = target.alias ?? target.name;
  const scope = new Scope(table.schema.fields.map((field, index) => ({ relation, name: field.name, type: field.type, nullable: field.nullable, index })));
  const predicate = bindExpr(statement.where, {
    source, scope, clause: 'DELETE … WHERE', intercept: null,
    subqueries: (ast) => {
      throw source.error('not_supported', 'NOT_SUPPORTED', 'subqueries in DELETE … WHERE are not supported; compute the values first and list them (WHERE k IN (1, 2, 3))', ast.pos);
    },
  });
  return { kind: 'delete', table: name, schema: table.schema, predicate: requireBoolean(predicate, source, statement.where.pos, 'DELETE … WHERE') };
}

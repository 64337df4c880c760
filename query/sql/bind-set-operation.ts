/**
 * Binds UNION / INTERSECT / EXCEPT [ALL]: both sides must have as many columns; each column
 * takes the common type of the two sides (casts inserted where a side differs; a side that is
 * a bare NULL takes the other's type). The result is named after the left side. ORDER BY and
 * LIMIT written after the last query apply to the whole result: ORDER BY takes output names,
 * positions or expressions over the output columns.
 */
import { typeToSql, type DataType, type Field } from '../../storage/index.js';
import type { Expr } from '../plan/expr.js';
import { castTo, columnRef } from '../plan/expr-utils.js';
import type { LogicalPlan, SortKey } from '../plan/logical-plan.js';
import type { SqlSetOperation } from './ast.js';
import { Scope } from './scope.js';
import { bindExpr } from './bind-expr.js';
import { commonType } from './type-rules.js';
import { bindQuery, limitValue, type QueryBindContext } from './bind-select.js';

function isNullColumn(plan: LogicalPlan, column: number): boolean {
  if (plan.kind !== 'project') return false;
  const expr = plan.exprs[column];
  return expr.kind === 'literal' && expr.value === null;
}

/** The side cast to the given column types (the plan itself when it already has them). */
function castSide(plan: LogicalPlan, types: readonly DataType[]): LogicalPlan {
  const fields = plan.schema.fields;
  if (fields.every((f, i) => f.type.id === types[i].id && (f.type.id !== 'decimal' || (f.type.precision === types[i].precision && f.type.scale === types[i].scale)))) return plan;
  const exprs = fields.map((f, i) => castTo(columnRef(i, f.name, f.type), types[i]));
  return { kind: 'project', input: plan, exprs, schema: { fields: fields.map((f, i) => ({ ...f, type: types[i] })) } };
}

/** Binds a set operation with its ORDER BY / LIMIT. */
export function bindSetOperation(query: SqlSetOperation, context: QueryBindContext): LogicalPlan {
  const { source } = context;
  const left = bindQuery(query.left, context);
  const right = bindQuery(query.right, context);
  const what = `${query.op.toUpperCase()}${query.all ? ' ALL' : ''}`;
  const [leftFields, rightFields] = [left.schema.fields, right.schema.fields];
  if (leftFields.length !== rightFields.length) {
    throw source.error('plan', 'COLUMN_COUNT_MISMATCH', `each side of ${what} must have as many columns: the left has ${leftFields.length}, the right ${rightFields.length}`, query.pos);
  }
  const types = leftFields.map((field, i) => {
    if (isNullColumn(right, i)) return field.type;
    if (isNullColumn(left, i)) return rightFields[i].type;
    const type = commonType(field.type, rightFields[i].type);
    if (type === null) {
      throw source.error('plan', 'TYPE_MISMATCH', `${what} column ${i + 1} (${field.name}): ${typeToSql(field.type)} and ${typeToSql(rightFields[i].type)} do not mix; add a CAST`, query.pos);
    }
    return type;
  });
  const fields: Field[] = leftFields.map((field, i) => ({ name: field.name, type: types[i], nullable: field.nullable || rightFields[i].nullable }));
  let plan: LogicalPlan = { kind: 'set_operation', op: query.op, all: query.all, left: castSide(left, types), right: castSide(right, types), schema: { fields } };
  if (query.orderBy.length > 0) {
    const scope = new Scope(fields.map((f, index) => ({ relation: null, name: f.name, type: f.type, nullable: f.nullable, index })));
    const keys: SortKey[] = query.orderBy.map((item) => {
      const position = item.expr.kind === 'number' && /^\d+$/.test(item.expr.text) ? Number(item.expr.text) : null;
      if (position !== null && (position < 1 || position > fields.length)) {
        throw source.error('plan', 'POSITION_OUT_OF_RANGE', `ORDER BY position ${position} is not in the select list (1 to ${fields.length})`, item.pos);
      }
      const expr: Expr = position !== null
        ? columnRef(position - 1, fields[position - 1].name, types[position - 1])
        : bindExpr(item.expr, { source, scope, clause: `ORDER BY of ${what}`, intercept: null });
      return { expr, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false };
    });
    plan = { kind: 'sort', input: plan, keys, schema: plan.schema };
  }
  const limit = limitValue(query.limit, 'LIMIT', source);
  const offset = limitValue(query.offset, 'OFFSET', source) ?? 0;
  if (limit !== null || offset > 0) plan = { kind: 'limit', input: plan, limit, offset, schema: plan.schema };
  return plan;
}
